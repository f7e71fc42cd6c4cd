"""Review tools: the scorer behind `kp-extract evaluate`, the HTML review report, where a record's values
are written in its sources, and the one-page inspector."""
