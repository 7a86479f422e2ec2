"""Tuning set: the judge was developed looking at these (see the package docstring)."""

FINISHED = [
    "I spent three years on the payments team, mostly on the checkout service.",
    "The migration took six weeks and nobody noticed the switch.",
    "That's the project I learned the most from.",
    "In the end we kept the old system for reporting only.",
    "I would start with a single database and add replicas when reads grow.",
    "My manager agreed, and we shipped it the following sprint.",
    "It cut our cloud bill by about a third.",
    "I think that's the part I'd do differently next time.",
    "So we rolled it back, found the bug, and released again the same day.",
    "Honestly, I'm still not sure it was the right call.",
    "The customer renewed for another two years.",
    "We wrote a runbook so the next person would not have to guess.",
]
MID_THOUGHT = [
    ("The first thing I did was", 900, "read every alert from the night before."),
    ("We decided to", 1100, "rewrite the parser from scratch."),
    ("I was responsible for", 800, "the whole onboarding flow."),
    ("The problem is that", 1200, "the cache never expires."),
    ("It took us about", 1000, "four months to finish."),
    ("We used Kafka, Redis, and", 900, "a small Postgres cluster."),
    ("When the deploy failed on Friday night,", 1300, "I called the on-call engineer."),
    ("The main reason we chose it was", 700, "the community around it."),
    ("I talked to the designer about", 1000, "how users actually find the button."),
    ("We grew from ten thousand to", 800, "almost a million users."),
    ("Our biggest customer asked us to", 1200, "support single sign-on."),
    ("What I would change is", 900, "how early we involved the testers."),
    ("I moved the job to a queue so that", 1100, "the page no longer waits for it."),
    ("The service was slower than", 700, "the one it replaced."),
    ("I ran the numbers again and", 1000, "the savings were real."),
    ("Before we could launch, we had to", 1400, "pass a security review."),
]
