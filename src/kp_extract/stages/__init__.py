"""The stages of a run, numbered in the order a page goes through them.

1. s1_read: find the page dumps, decode them, normalise newlines -> Page
2. s2_clean: mark site chrome and read page metadata -> Page
3. s3_segment: cut a page into blocks (heading, title, prose, bullet, footer) in items -> Block
4. s4_language: each block's language -> Block
5. s5_extract: rules propose, a trained model decides -> Mention, PartnershipMention (with confidence)
6. s6_dedupe: merge mentions into records across pages -> Project, Partnership

run/pipeline.py wires them; each takes the previous stage's objects and gives new ones.
"""
