"""The answers issue 13's turn rules were tuned on (kept for comparison; not held back)."""

FINISHED = ANSWERS = [
    "I am a backend engineer. I build web services in Python and I have worked with databases for five years.",
    "At my last job our release process was slow, so I wrote a script that tested and deployed every change.",
    "As a result we went from one release a week to ten a day, and the number of bugs fell by half.",
    "I would put a load balancer in front of the servers and keep a cache for the most popular items.",
    "My teammate and I disagreed about the design, so we wrote down both options and asked the team to decide.",
    "We finished the project two weeks early and saved about twenty thousand dollars in hosting costs.",
    "I learned that it is better to ask for help early than to wait until the deadline is close.",
    "I profiled the slow query, added an index, and the page loaded in one second instead of eight.",
]
# (first part, pause in ms, the rest): the pause falls inside the sentence.
MID_THOUGHT = [
    ("I would use a queue,", 900, "because the writes are bursty."),
    ("At my last job the release process was slow,", 1200, "so I wrote a script that deployed every change."),
    ("I think the main reason was,", 700, "that nobody owned the database."),
    ("We split the service into two parts,", 1500, "and the pages got much faster."),
    ("I would start with,", 600, "a simple cache in front of the database."),
    ("My manager and I disagreed,", 1000, "but we agreed to measure both designs."),
    ("The tricky part was,", 800, "keeping the data consistent during the migration."),
    ("I learned to ask for help,", 1300, "before the deadline gets close."),
    ("We cut the hosting costs by,", 500, "about thirty percent in three months."),
    ("First I profiled the query, and", 1100, "then I added the missing index."),
    # ... and after a whole sentence, where the model hears more context
    ("I am a backend engineer. I mostly work on,", 800, "payment systems in Python."),
    ("We moved to Kubernetes last year. The hardest part was,", 900, "moving the databases without downtime."),
    ("I led a team of four people. We shipped the new billing service,", 1200, "and then we turned off the old one."),
    ("Our tests took forty minutes. I split them into groups, and", 700, "ran the groups in parallel."),
    ("The page was slow because of one query. I added an index,", 1000, "and it loaded in under a second."),
    ("The customer kept asking for changes. So I set up a weekly call,", 1300, "where we agreed on the next steps."),
]
# Short answers that hand the turn back: they must not wait for the pause cap.
REQUESTS = ["Could you repeat the question, please?", "Sorry, I don't know.", "Can we skip this one?"]
