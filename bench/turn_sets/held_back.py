"""Held-back set: never scored while the judge was tuned (see the package docstring)."""

FINISHED = [
    "I led the data team for two years before moving into platform work.",
    "We replaced the cron jobs with a proper scheduler and the pages stopped.",
    "The hardest part was convincing finance, not the engineering.",
    "After that release, support tickets dropped by forty percent.",
    "I'd pick Postgres here because the data is relational.",
    "She became one of the strongest engineers on the team.",
    "We never had that outage again.",
    "It's the kind of problem I enjoy working on.",
    "I would shard by customer, since most queries stay inside one account.",
    "That was my first real lesson in owning production.",
    "The new build takes four minutes instead of twenty.",
    "I still use that checklist today.",
]
MID_THOUGHT = [
    ("My role on the project was to", 1000, "keep the three teams in sync."),
    ("We found out that", 900, "the vendor was rate limiting us."),
    ("I usually start by", 800, "writing down what success looks like."),
    ("The latency went from two seconds to", 1100, "about three hundred milliseconds."),
    ("The stack was Go, gRPC, and", 1200, "a lot of shell scripts."),
    ("If the write fails halfway,", 1000, "the client retries with the same key."),
    ("I spent most of that week", 1300, "pairing with the new hire."),
    ("The reason it kept crashing is", 900, "a memory leak in the image library."),
    ("We agreed to meet every", 700, "Tuesday morning until launch."),
    ("Instead of adding more servers, I", 1200, "profiled the hot path."),
    ("The feedback I got was", 1000, "that my updates were too long."),
    ("I had to choose between", 800, "shipping late and cutting the export feature."),
    ("Looking back, the thing I'm proudest of is", 1400, "how the team handled the outage."),
    ("We measured it with", 900, "a simple dashboard of error rates."),
    ("There were roughly", 1100, "two hundred services to migrate."),
    ("It worked well until", 1000, "traffic doubled over the holidays."),
]
