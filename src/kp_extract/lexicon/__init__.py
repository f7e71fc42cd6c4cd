"""What the stages search with: the gazetteer (Swedish municipalities and regions, countries, SDGs,
programme labels, administrative words), the finders of names in text (partners), and the value
finders (dates, durations, amounts, SDGs). Knowledge lives in kp_extract/data; these modules compose
and search it."""
