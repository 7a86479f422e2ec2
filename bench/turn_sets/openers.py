"""Openers: a short finished first sentence, a pause, then the rest of the answer.

What the short-answer rule (``turn_policy.is_short``: an answer under 8 words waits for the
cap unless it hands the turn back) guards against. Written to try a looser rule (a short
answer ends once every judge says so at full height: docs/performance.md, issue 19 round 5,
rejected on this set) before any run of it, and never tuned on. Every judge can read the
first sentence as a whole answer: its words end a sentence, its voice falls. In an interview
it is nearly always the start of one, and a turn ended in the pause is a premature cut-in
like any other. The finished answers are short whole answers, which the rule makes wait.
"""

FINISHED = [
    "About five years now.",
    "Yes, I led that migration.",
    "Mostly Python and some Go.",
    "We rolled it back the same day.",
    "I would add a cache first.",
    "No, I have not used Kafka.",
]
MID_THOUGHT = [
    ("My manager and I disagreed.", 1000, "She wanted to ship on Friday and I wanted another week of testing."),
    ("It was a hard quarter.", 900, "Two senior people left and we still had the launch to deliver."),
    ("I owned the billing service.", 1200, "That meant the on-call rotation, the roadmap and every invoice bug."),
    ("We tried three approaches.", 800, "The first two failed because the data did not fit in memory."),
    ("Testing was my main worry.", 1100, "We had almost no integration tests when I joined."),
    ("The customer was furious.", 1300, "I called them the same afternoon and walked them through the fix."),
    ("I think it depends.", 1000, "For a small team a monolith is usually the faster choice."),
    ("That bug took a week.", 900, "It only showed up when two regions wrote the same row."),
    ("I learned a lot there.", 1200, "Mostly about how to say no to work that does not matter."),
    ("We picked Postgres.", 800, "The team knew it well and the data was relational anyway."),
    ("First I reproduced it.", 1000, "Then I bisected the deploys until the regression showed up."),
    ("The answer is caching.", 1100, "A read-through cache in front of the profile service cut the load in half."),
]
