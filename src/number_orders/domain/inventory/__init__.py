"""The simulated carrier's inventory of numbers.

What exists: `templates` (numbering-plan patterns as digit sets) and `catalogue` (the
templates and geocoder areas of each country and type). What it costs and offers:
`tables`. How it is searched: `query` (the parameters), `plan` (what a query looks
through), `draw` and `candidates` (the fixed order of candidates), `search` and `blocks`
(free numbers, asked of the caller's holdings in batches). How results look: `records`.
`domain.available_numbers` is the entry point.
"""
