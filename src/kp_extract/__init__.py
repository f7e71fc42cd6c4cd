"""kp_extract: project and partnership records from ICLD "kommunala partnerskap" page dumps."""

__version__ = "0.1.0"
