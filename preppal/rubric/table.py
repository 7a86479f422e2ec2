"""The rubric table: per interview type, the competencies an interviewer scores, what strong
and weak evidence sound like, and the cues the offline paths listen for.

Pure data (no imports), read only through :mod:`preppal.rubric`. Each competency:

- ``label``: its name on the page, in exports and in prompts;
- ``asks``: what it assesses, in one line (the Gemini prompt and the page's tooltip);
- ``strong`` / ``weak``: what strong and weak evidence sound like (prompt, page, export);
- ``kinds``: question kinds (``preppal.live.offline.questions``: star, design, explain, open,
  code) whose main question targets it;
- ``strong_cues`` / ``weak_cues``: English regular expressions over one lower-cased sentence
  of an answer: the offline interviewer's and the analyzer's heuristic evidence;
- ``probe``: the follow-up that asks for what is missing when the answer gave no strong
  evidence for it (the offline interviewer's "what the rubric still lacks").

Difficulty changes the bar and the weights, not the competencies (``DIFFICULTY``).
"""

from __future__ import annotations

_FIRST_PERSON_ACTION = (
    r"\bi (decided|built|led|wrote|designed|created|implemented|set up|organi[sz]ed|proposed|introduced|"
    r"spoke|talked|added|changed|moved|started|refactored|analy[sz]ed|measured|ran|fixed|negotiated|"
    r"convinced|asked|called|scheduled|rewrote|automated|owned|took|pushed|escalated|prioriti[sz]ed|chose|"
    r"mentored|coached|reviewed|tested|shipped|migrated|investigated|traced|profiled|found)\b"
)
_NUMBER = (
    r"(\d|\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    r"hundred|hundreds|thousand|thousands|million|millions|billion|percent|per cent|half|double|twice|triple)\b)"
)
_RESULT_WORDS = (
    r"\b(as a result|resulted|the result|in the end|ended up|outcome|led to|which (cut|reduced|increased|"
    r"improved|saved|doubled|halved)|we (cut|reduced|increased|improved|saved|shipped|launched|grew|hit|met)|"
    r"(cut|reduced|increased|improved|saved|doubled|halved) (it|the|our|that|latency|costs?|time)|went from|"
    r"on time|impact)\b"
)

COMPETENCIES: dict[str, dict[str, dict]] = {
    "behavioural": {
        "situation_task": {
            "label": "Situation and task",
            "asks": "Sets the scene briefly and says what they personally had to achieve.",
            "strong": "One or two sentences of real context (where, when, what was at stake) and a clear goal "
            "that was theirs: 'At my last job our release slipped twice, and my task was to get it out in a week.'",
            "weak": "No concrete situation, a hypothetical ('I would usually…'), or a long backstory with no goal.",
            "kinds": ("star", "open"),
            "strong_cues": (
                r"\b(my (role|job|task|goal|responsibility) was|i was (responsible|asked|tasked)|the goal was|"
                r"i needed to|we needed to|the (challenge|problem|situation) was)\b",
                r"\b(at my (last|previous|current|old|first) (job|company|role|team)|when i was (at|working)|"
                r"there was a time|last (year|quarter|month)|a few (years|months) ago)\b",
            ),
            "weak_cues": (r"\b(i would (usually|normally|probably|just)|i always|in general i|generally i)\b",),
            "probe": "Let's make that concrete. What was the situation, and what exactly was your goal?",
        },
        "action_ownership": {
            "label": "Action and ownership",
            "asks": "Says what they did themselves, step by step, and why.",
            "strong": "First-person, specific steps with reasons: 'I split the work, I wrote the migration "
            "myself and I called the client to reset the date.'",
            "weak": "'We' throughout, vague verbs ('helped with', 'was involved in'), or what should happen "
            "instead of what they did.",
            "kinds": ("star",),
            "strong_cues": (_FIRST_PERSON_ACTION,),
            "weak_cues": (
                r"\b(i (helped|was involved|assisted|supported) (with|in)|we (just|kind of|sort of))\b",
                r"\b(the team (decided|did|handled)|someone|somebody) ",
            ),
            "probe": "What did you do yourself, step by step?",
        },
        "result_measurement": {
            "label": "Result and measurement",
            "asks": "Closes with the outcome, measured where possible.",
            "strong": "An outcome with a number or a visible change: 'We shipped on the Friday and support "
            "tickets fell by a third.'",
            "weak": "The story stops before the outcome, or the result is vague ('it went well').",
            "kinds": ("star",),
            "strong_cues": (_RESULT_WORDS + r".*" + _NUMBER, _NUMBER + r".*" + _RESULT_WORDS),
            "weak_cues": (r"\b(it went (well|fine|ok|okay)|it worked out|everyone was happy|things got better)\b",),
            "probe": "How did it turn out, and how did you know? Any numbers you can share?",
        },
        "reflection": {
            "label": "Reflection",
            "asks": "Says what they learned and what they would do differently.",
            "strong": "A specific lesson that changed how they work: 'Since then I agree the scope in writing "
            "before I start.'",
            "weak": "No lesson, or a generic one ('communication is important').",
            "kinds": ("star", "open"),
            "strong_cues": (
                r"\b(i learn(ed|t)|the lesson|next time|in hindsight|looking back|i would do (it )?differently|"
                r"since then|now i (always|make sure|try)|taught me|i realised|i realized)\b",
            ),
            "weak_cues": (r"\b(nothing really|i wouldn't change anything|communication is (key|important))\b",),
            "probe": "Looking back, what did you learn from it, and what would you do differently?",
        },
    },
    "technical": {
        "problem_framing": {
            "label": "Problem framing",
            "asks": "Restates the problem, asks about inputs and constraints before solving.",
            "strong": "Clarifies inputs, sizes and edge cases first: 'So the input can be empty, and the "
            "intervals aren't sorted, right?'",
            "weak": "Starts solving at once, or solves a different problem.",
            "kinds": ("explain", "code"),
            "strong_cues": (
                r"\b(so the (input|question|problem)|if i understand|to clarify|can i assume|i'll assume|"
                r"i would assume|assuming (that )?|what (is|are) the constraints|how (big|large|many)|"
                r"is the input|are the (inputs|intervals|values))\b",
            ),
            "weak_cues": (),
            "probe": "Before we go on, how would you restate the problem? What are the inputs and constraints?",
        },
        "approach": {
            "label": "Approach",
            "asks": "Picks a sound approach, explains it before the detail, knows its cost.",
            "strong": "Names the approach and its complexity or cost, and why it beats the obvious one: "
            "'A hash map of counts, one pass, so linear time.'",
            "weak": "Guesses, jumps between ideas, or cannot say what the approach costs.",
            "kinds": ("explain", "code", "star"),
            "strong_cues": (
                r"\b(o\(|big o|linear time|constant time|log n|n log n|quadratic|complexity|one pass|two pointers|"
                r"hash ?map|dictionary|binary search|sort(ed|ing)? (it|them|the)|recursion|dynamic programming|"
                r"breadth.first|depth.first|index(es|ing)?|profil(e|er|ing)|cache|queue|heap|stack)\b",
                r"\b(my approach|the approach|first i would|i would start by|the idea is|the trick is)\b",
            ),
            "weak_cues": (r"\b(i('d| would) (just )?google|no idea how|i'm not sure how|i don't know how)\b",),
            "probe": "What approach would you take, and what does it cost in time and memory?",
        },
        "code_quality": {
            "label": "Code quality",
            "asks": "Writes correct, readable code in the editor and handles edge cases.",
            "strong": "Working code with clear names and the edge cases handled, talked through as it is written.",
            "weak": "No code for a coding question, code that does not match the explanation, or unhandled edges.",
            "kinds": ("code",),
            "strong_cues": (),  # judged from the editor, not from speech (see preppal.rubric)
            "weak_cues": (),
            "probe": "Could you write it in the editor and talk me through it?",
        },
        "testing": {
            "label": "Testing",
            "asks": "Checks the solution: examples, edge cases, how they would test it.",
            "strong": "Walks an example through and names edge cases and tests: 'An empty string returns none; "
            "I'd unit-test the all-repeating case.'",
            "weak": "Never checks the solution or mentions an edge case.",
            "kinds": ("code", "explain"),
            "strong_cues": (
                r"\b(edge case|corner case|unit test|test case|tests? (it|for|that|the)|empty (string|list|input|"
                r"array)|null|none|off.by.one|walk through an example|for example if|let me check|dry run|"
                r"integration test|reproduce)\b",
            ),
            "weak_cues": (r"\b(it should (just )?work|i'm sure it works|no need to test)\b",),
            "probe": "How would you test that? Which edge cases worry you?",
        },
        "communication": {
            "label": "Communication",
            "asks": "Thinks out loud in order, so the interviewer can follow and help.",
            "strong": "Signposts the steps ('first…, then…, finally…') and says why at each turn.",
            "weak": "Long silences, or jumps without saying what or why.",
            "kinds": ("open", "explain", "star"),
            "strong_cues": (
                r"\b(first(ly)?,? .*\b(then|next|second)\b|the reason (is|was)|because|so that|which means|"
                r"in other words|to summari[sz]e|the trade.?off)\b",
            ),
            "weak_cues": (),
            "probe": "Could you talk me through your thinking step by step?",
        },
    },
    "system_design": {
        "requirements": {
            "label": "Requirements",
            "asks": "Pins down what the system must do and how well, before drawing boxes.",
            "strong": "Functional and non-functional requirements with rough numbers: 'Reads dominate, about "
            "10k per second, and a link must redirect in under 50 ms.'",
            "weak": "Jumps to components without asking who uses it, how much, or how fast.",
            "kinds": ("design",),
            "strong_cues": (
                r"\b(requirements?|use cases?|read.heavy|write.heavy|how many users|daily active|functional|"
                r"non.functional|latency (target|budget|requirement)|availability (target|of)|sla|slo|"
                r"first i('d| would) (ask|clarify)|let me clarify)\b",
            ),
            "weak_cues": (),
            "probe": "Before the design: what are the main requirements, and what numbers are we designing for?",
        },
        "high_level_design": {
            "label": "High-level design",
            "asks": "Lays out the main components and how a request flows through them.",
            "strong": "Names the components and follows one request end to end: 'Client to the load balancer, "
            "to a stateless API, which writes to the database and puts a job on a queue.'",
            "weak": "A list of technologies with no flow between them.",
            "kinds": ("design", "open"),
            "strong_cues": (
                r"\b(load balancer|api (server|gateway|layer)|service|database|queue|cache|cdn|worker|client|"
                r"object store|message broker|pub.?sub|websocket)s?\b.*\b(then|to|into|from|writes?|reads?|"
                r"sends?|calls?|goes)\b",
            ),
            "weak_cues": (),
            "probe": "Could you walk me through the main components, following one request from start to finish?",
        },
        "data_and_scale": {
            "label": "Data and scale",
            "asks": "Chooses the data model and storage, estimates load and scales it.",
            "strong": "Estimates and a plan for growth: 'A hundred million rows a year, so we shard by user id "
            "and keep hot keys in Redis.'",
            "weak": "No numbers, or 'we'd just scale it' without saying how.",
            "kinds": ("design",),
            "strong_cues": (
                r"\b(shard|partition|replica|replicat|index|schema|primary key|sql|nosql|cassandra|postgres|"
                r"dynamo|redis|kafka|throughput|qps|requests per second|terabytes?|gigabytes?|tb|gb)\w*\b.*" + _NUMBER,
                _NUMBER + r".*\b(shard|partition|replica|requests per second|qps|terabytes?|gigabytes?|rows|"
                r"writes|reads|users)\w*\b",
            ),
            "weak_cues": (r"\b(just scale (it|up)|add more servers|it will scale)\b",),
            "probe": "Can you estimate the scale, and say how the data is stored and grows?",
        },
        "trade_offs": {
            "label": "Trade-offs",
            "asks": "Names alternatives and says what each choice costs.",
            "strong": "'I'd take eventual consistency here: a stale count for a second is fine, a slow write is not.'",
            "weak": "One option presented as the only one; no failure or cost discussed.",
            "kinds": ("design",),
            "strong_cues": (
                r"\b(trade.?offs?|instead of|rather than|the downside|on the other hand|at the cost of|"
                r"eventual(ly)? consisten|strong consisten|cap theorem|versus|vs\.?|the alternative|"
                r"if (it|that|the \w+) (fails|goes down))\b",
            ),
            "weak_cues": (),
            "probe": "What are the trade-offs there? What would you give up, and what could fail?",
        },
    },
    "role_specific": {
        "domain_knowledge": {
            "label": "Domain knowledge",
            "asks": "Knows the role's field: its terms, its problems, how good work looks.",
            "strong": "Uses the field's terms correctly, with an example from their own work.",
            "weak": "Generic answers that would fit any job.",
            "kinds": ("explain", "open"),
            "strong_cues": (),  # the job description's own words (see preppal.rubric) decide
            "weak_cues": (r"\b(it depends|every job is different|it's (just|all) about)\b",),
            "probe": "How does that work in practice in this field? Can you give me an example from your own work?",
        },
        "tools_and_craft": {
            "label": "Tools and craft",
            "asks": "Names the tools and methods they use and how they use them well.",
            "strong": "Specific tools and why they chose them: 'I keep the model in dbt so every metric has a test.'",
            "weak": "Names tools with no sense of how or why they were used.",
            "kinds": ("explain", "star"),
            "strong_cues": (
                r"\b(i use|i used|i rely on|my (go.to|favourite|favorite)|we used|i set up|i built) [\w\s-]{0,30}"
                r"\b(because|so that|to|for)\b",
            ),
            "weak_cues": (),
            "probe": "Which tools or methods did you use there, and why those?",
        },
        "judgement": {
            "label": "Judgement and priorities",
            "asks": "Decides well under constraints and explains the reasoning.",
            "strong": "Weighs options against a goal: 'I fixed the billing bug first: it cost money every hour.'",
            "weak": "Does everything at once, or cannot say why one thing came first.",
            "kinds": ("explain", "star"),
            "strong_cues": (
                r"\b(i prioriti[sz]ed|first because|the most important|the biggest risk|i chose .* because|"
                r"i decided .* because|weighed|trade.?off|the reason)\b",
            ),
            "weak_cues": (r"\b(i just do (everything|it all)|whatever (my manager|they) (says|said))\b",),
            "probe": "How did you decide what came first? What made that the right call?",
        },
        "impact": {
            "label": "Impact",
            "asks": "Shows what their work changed, measured where possible.",
            "strong": "A result with a number: 'Churn fell from 6 to 4 percent in a quarter.'",
            "weak": "Activities without outcomes.",
            "kinds": ("star",),
            "strong_cues": (_RESULT_WORDS + r".*" + _NUMBER, _NUMBER + r".*" + _RESULT_WORDS),
            "weak_cues": (r"\b(it went (well|fine)|people liked it)\b",),
            "probe": "What changed because of your work? How did you measure it?",
        },
    },
}

# A requirement taken from the job description (role-specific rounds; see preppal.rubric).
JD_COMPETENCY = {
    "label": "From the job: {requirement}",
    "asks": "The job description asks for: {requirement}.",
    "strong": "A concrete example of doing this ({requirement}) themselves, with what came of it.",
    "weak": "Says they can do it without an example, or never touches it.",
    "kinds": ("star", "explain", "open"),
    "probe": "The role asks for {requirement}. Can you tell me about a time you did that?",
}
JD_MAX = 2  # requirements from the job description that become competencies
JD_REQUIREMENT_WORDS = (
    r"\b(experience|knowledge|proficien|familiar|expert|skills?|ability|able to|years|understanding|background|"
    r"track record|hands.on|comfortable|fluent|degree|must|required|requirements?)\b"
)

# Difficulty sets the bar and the weights (key → weight; missing keys weigh 1.0).
DIFFICULTY: dict[str, dict] = {
    "warmup": {
        "bar": "Warm-up: a clear, concrete example in the candidate's own words counts as strong.",
        "offset": 5,  # a warm-up's scores are read a little more kindly
        "weights": {"reflection": 0.5, "testing": 0.5, "trade_offs": 0.7, "problem_framing": 0.7},
    },
    "standard": {
        "bar": "Standard: strong evidence is concrete, first-person and complete (context to result).",
        "offset": 0,
        "weights": {},
    },
    "intense": {
        "bar": "Intense: strong evidence also carries numbers, trade-offs and what they would change; "
        "a vague answer is weak even when it is correct.",
        "offset": -5,
        "weights": {"result_measurement": 1.3, "trade_offs": 1.3, "testing": 1.2, "impact": 1.3},
    },
}

# Category keys stored by feedback written before the rubric existed (their rows keep them).
LEGACY_LABELS = {
    "communication": "Communication",
    "structure": "Structure (STAR)",
    "technical_depth": "Technical depth",
    "relevance": "Relevance to the role",
    "confidence": "Confidence",
    "code_quality": "Code (editor)",
}
