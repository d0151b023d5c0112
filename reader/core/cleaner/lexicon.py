"""The vocabulary of appeals, as general patterns.

Appeals are the outlet talking to the reader about the outlet: second person
("you", "your support"), the outlet's own voice ("we", "our journalism"), and
verbs of giving, joining, subscribing and signing up, often as an imperative.
News *about* money uses the same nouns in the third person, past tense or
inside quotes, which is why single words only add small weights and it takes
several of them together, or one of the fixed phrases below, to flag a sentence.

Word lookups are dictionary hits (cheap); the regex phrases only run on a
sentence that contains one of their trigger words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Category weights for single-word features (each category counts once per sentence).
ADDRESS, VOICE, GIVE, SIGN, JOURNALISM, FREE, PRICE, TEASER, IDENTITY, SELF, REPORT = (
    "address", "voice", "give", "sign", "journalism", "free", "price", "teaser", "identity",
    "self", "report",
)  # fmt: skip
WEIGHTS: dict[str, float] = {
    ADDRESS: 1.0,
    VOICE: 1.0,
    GIVE: 1.0,
    SIGN: 1.0,
    JOURNALISM: 0.5,
    FREE: 0.5,
    PRICE: 1.0,
    TEASER: 1.0,
    IDENTITY: 1.0,
    SELF: 1.0,
    REPORT: -3.0,
}
STRONG = 3.0  # a sentence at or above this is an appeal on its own
# A sentence that never points at the outlet or its products (no "we/our/us",
# no "this article", no newsletter, subscription, app, paywall, journalism...)
# is advice or narrative addressed to the reader ("Try joining a walking group",
# "Check whether your employer matches donations"): it may join an appeal next
# to it but never starts one, so its score is capped just below STRONG.
UNANCHORED_CAP = 2.5
WEAK = 1.0  # at or above this, it is an appeal when it touches one

# Rule ids, by what the sentence asks for.
DONATION = "appeal.donation"
MEMBERSHIP = "appeal.membership"
SUBSCRIPTION = "appeal.subscription"
REGISTRATION = "appeal.registration"
NEWSLETTER = "appeal.newsletter"
ADBLOCK = "appeal.adblock"
PROMO = "appeal.promo"
LEGAL = "boilerplate.legal"
REPUBLICATION = "boilerplate.republication"
# Which rule names a sentence flagged by word features alone, most specific first.
FAMILY_ORDER = (NEWSLETTER, ADBLOCK, REGISTRATION, MEMBERSHIP, SUBSCRIPTION, DONATION, PROMO)


def words(spec: str) -> frozenset[str]:
    """A set of words from a space-separated string."""
    return frozenset(spec.split())


_WORD_TABLE: dict[str, tuple[str, str | None]] = {}


def _add(words: str, category: str, family: str | None = None) -> None:
    for word in words.split():
        _WORD_TABLE[word] = (category, family)


_add("you your yours yourself yourselves you're you've you'll you'd", ADDRESS)
_add("we our ours ourselves we're we've we'll we'd", VOICE)  # "us" is checked case-sensitively
_add(
    "donate donates donated donating donation donations donor donors contribute contributes"
    " contributed contributing contribution contributions contributor contributors support"
    " supports supporting supported supporter supporters fund funds funded funding fundraiser"
    " fundraising pledge pledges pledged patron patrons patronage afford generosity generous"
    " sustain sustaining gift gifts",
    GIVE,
    DONATION,
)
_add("newsletter newsletters inbox inboxes email emails e-mail mailing", SIGN, NEWSLETTER)
_add("register registering registration account accounts login signin", SIGN, REGISTRATION)
_add("member members membership memberships join joining", SIGN, MEMBERSHIP)
_add("adblock adblocker adblockers blocker blockers advertising ads ad-free", SIGN, ADBLOCK)
_add(
    "subscribe subscribes subscribed subscribing subscriber subscribers subscription"
    " subscriptions paywall paywalls trial unlimited access premium exclusive metered",
    SIGN,
    SUBSCRIPTION,
)
_add(
    "journalism journalist journalists reporting reporter reporters newsroom newsrooms story"
    " stories article articles headline headlines coverage content readers reader read reading",
    JOURNALISM,
)
_add("free complimentary discount discounted", FREE, SUBSCRIPTION)
_add(
    "said says told reported announced according stated claimed wrote added explained argued"
    " noted testified tweeted recalled insisted acknowledged",
    REPORT,
)
WORD_TABLE = _WORD_TABLE

# Nouns that name the outlet's own products and work: a call to action needs
# one of these (or the outlet's voice, or "this article") to be an appeal.
ANCHOR_WORDS = words(
    "newsletter newsletters subscription subscriptions subscriber subscribers membership"
    " memberships paywall paywalls premium adblock adblocker adblockers blocker blockers"
    " podcast podcasts app apps journalism newsroom newsrooms journalist journalists article"
    " articles story stories reporting coverage reporter reporters inbox inboxes ad-free"
    " cookies episode episodes edition editions headlines briefing subscribe"
)

# Imperatives that open a call to action; the second word must not turn them
# into a noun or a statement ("Support for the bill grew").
CTA_VERBS = words(
    "subscribe join donate give register become get start try create click tap disable"
    " unblock whitelist unlock claim read continue learn chip make help consider support"
    " download follow listen upgrade renew activate pledge receive enjoy discover stay"
    " sign log turn switch contact send email share tell enter save text forward tap grab"
    " search let think pass hit add find check visit buy order book gift pick choose select"
    " open renew allow accept agree"
)
# CTA verbs that double as nouns ("Support from voters", "Help for renters").
CTA_NOUNISH = words(
    "support help start turn switch stay read make share text save tap pass hit order book"
)
CTA_NOT_BEFORE = words(
    "for among from of is was were are has had have grew fell rose comes came will would"
    " could can may might groups group the's"
)
CTA_LEADS = words("please so and or now just then")
# Editorial content an imperative may point to inside a story ("Check out our
# picks below", "Learn more in our review"): a cross-reference, not a pitch.
EDITORIAL = words(
    "review reviews picks pick guide guides list lists roundup explainer analysis take"
    " ranking rankings tips"
)


@dataclass(frozen=True, slots=True)
class Phrase:
    rule: str | None  # None: a feature phrase (adds ``category``), else a strong phrase
    category: str | None
    pattern: re.Pattern[str]
    triggers: frozenset[str]


def _strong(rule: str, triggers: str, pattern: str) -> Phrase:
    return Phrase(rule, None, re.compile(pattern, re.I), words(triggers))


def _feature(category: str, triggers: str, pattern: str) -> Phrase:
    return Phrase(None, category, re.compile(pattern, re.I), words(triggers))


_ANY = r"(?:[\w'’-]+ )"
PHRASES: tuple[Phrase, ...] = (
    # giving
    # "Your support makes the difference", "with your support"; not "withdraw your contributions".
    _strong(DONATION, "your", rf"(?:^|\b(?:with|thanks to|through|for|make|making|give|giving|double|doubles|match|matches|matched|need|needs|rely on|count on|without|on) )your {_ANY}?(?:support|donations?|contributions?|gifts?|generosity|patronage)\b|\byour {_ANY}?(?:support|donations?|contributions?|gifts?|generosity|patronage) (?:helps?|keeps?|makes?|allows?|means?|matters?|enables?|will|can|could|is|are|funds?|pays?|goes|counts?|ensures?|powers?|sustains?|today|now)\b"),
    _strong(DONATION, "donation contribution gift", rf"\b(?:make|making|give|giving) (?:a |an |your ){_ANY}{{0,2}}(?:donation|contribution|gift)\b"),
    _strong(DONATION, "donate contribute chip give", r"\b(?:donate|contribute|chip in|give)\b[^.]{0,30}\b(?:today|now|monthly|from just|what you can)\b"),
    _strong(DONATION, "support supporting", r"\bsupport(?:ing)? (?:us|our (?:work|journalism|reporting|newsroom|mission|journalists|coverage)|[\w-]+ (?:journalism|reporting|newsroom))\b"),
    _feature(IDENTITY, "funded supported powered backed", r"\b(?:reader|member|listener|viewer|audience|donor)[- ](?:funded|supported|powered|backed)\b"),
    _strong(DONATION, "powered", r"\bpowered by (?:readers|members|you|people like you|our (?:readers|members|supporters))\b"),
    _strong(DONATION, "rely relies depend depends count counts", r"\b(?:we|us)(?: \w+)? (?:rely|relies|depend|depends|count|counts) on (?:readers|you|your|members|supporters|donations|contributions|people like you)\b|\b(?:journalism|reporting|newsroom|work) (?:relies|depends|counts) on (?:readers|you|your|members|supporters|people)\b"),
    _strong(DONATION, "your without", r"\bwe (?:\w+ )?need your\b|\bwe (?:can['’]?t|cannot|could ?n['’]?t) do (?:it|this|that) without (?:you|your)\b|\bwithout (?:your|readers['’]?) (?:support|help|contributions|donations)\b"),
    _strong(DONATION, "you", r"\bno (?:cost|charge) to you\b|\breaders like you\b|\bpeople like you\b"),
    _strong(DONATION, "fundraiser fundraising goal target appeal drive", r"\bour (?:[\w-]+ )?(?:fundraiser|fund-?raising|appeal|donation drive|membership drive)\b|\b(?:short of|reach|hit|meet) our (?:goal|target)\b"),
    _strong(DONATION, "donation donations gift gifts contribution contributions dollar", r"\b(?:every|each|any|your) (?:donation|gift|contribution|dollar)\b[^.]{0,40}\b(?:matched|doubled|tripled|helps|counts|matters|goes)\b"),
    _strong(DONATION, "going alive afloat", r"\bhelps? (?:us )?keep (?:us|[\w.-]+|our [\w-]+|[\w-]+ journalism) (?:going|alive|free|open|independent|afloat|running|online)\b"),
    _strong(DONATION, "please", r"\bplease (?:don['’]?t|do not) (?:skip|scroll|ignore|close)\b"),
    _strong(DONATION, "enjoyed liked value appreciate rely care", r"\bif you (?:enjoyed|liked|value|appreciate|rely on|care about)\b[^.]{0,50}\b(?:article|story|this|our|work|journalism|reporting|newsletter|site|content)\b"),
    _strong(DONATION, "you", r"\b(?:will|would|could|can|won['’]t) you (?:\w+ ){0,5}(?:support|join|become|give|donate|help|chip|consider)\b"),
    _strong(DONATION, "please", r"\bplease (?:subscribe|donate|register|sign up|log in|sign in|support us|support our|consider (?:a|an|making|giving|supporting|subscribing|becoming|donating))\b"),
    _strong(DONATION, "possible", r"\b(?:made|make|makes) (?:\w+ ){0,3}possible (?:by|thanks to) (?:readers|members|supporters|you|people like you|donors like you)\b|\bwould (?:not|n['’]t) be possible without (?:\w+ ){0,2}(?:readers|members|supporters|you|contributions|donations)\b"),
    _strong(MEMBERSHIP, "become becoming", rf"\b(?:become|becoming) an? {_ANY}?(?:member|supporter|subscriber|patron|donor|insider|friend)\b"),
    _strong(MEMBERSHIP, "join", r"\bjoin (?:us|our (?:[\w-]+ )?(?:community|members|mailing list|supporters))\b|\bjoin (?:the )?(?:[\d,.]+ (?:million |thousand )?)?(?:other )?(?:readers|supporters|members)\b"),
    _strong(MEMBERSHIP, "member", r"\bas an? (?:[\w-]+ )?member,? you\b"),
    # subscriptions, paywalls, registration
    _strong(SUBSCRIPTION, "subscribe", r"\bsubscribe (?:now|today|here|to (?:our|us|this (?:newsletter|podcast|channel)|read|continue|keep|access|unlock|go)|(?:for|from) (?:unlimited|full|just|only|as little|[$£€]))"),
    _strong(SUBSCRIPTION, "unlimited complimentary", r"\b(?:unlimited|complimentary) (?:digital )?access\b"),
    _strong(SUBSCRIPTION, "trial", r"\b(?:start|begin|try|claim|get|activate) (?:your |a |my |our )?(?:[\w-]+[- ](?:day|week|month) |risk-free |free )+trial\b|\bfree trial (?:today|now)\b"),
    _strong(SUBSCRIPTION, "already", r"\balready (?:a |an )?(?:subscriber|member|registered|have an account)\b"),
    _strong(SUBSCRIPTION, "subscribers members subscriber member users", r"\b(?:subscribers?|members?)[- ]only\b|\bfor (?:subscribers|members) only\b|\bexclusive(?:ly)? (?:for|to) (?:subscribers|members)\b|\b(?:reserved|available) (?:only )?(?:for|to) (?:our )?(?:registered users|(?:paying |paid |premium |digital )?(?:subscribers|members)|premium)\b|\bnot an? (?:subscriber|member) yet\b"),
    _strong(SUBSCRIPTION, "full", r"\bto (?:read|access|see|view|unlock) (?:this|the) (?:full )?(?:article|story|piece|content)(?: in full)?,|\bread (?:this|the) (?:article|story) in full\b|\bto (?:read|access|view) the full (?:article|story)\b"),
    _strong(SUBSCRIPTION, "upgrade", r"\bupgrade (?:your (?:[\w-]+ )?(?:subscription|membership|plan|account|access)|to (?:a |our )?(?:premium|digital|full|paid))\b"),
    _strong(SUBSCRIPTION, "reading", r"\b(?:continue|keep) reading\b"),
    _strong(SUBSCRIPTION, "limit", r"\b(?:reached|hit|used) (?:your|the) (?:[\w-]+ )?limit of (?:free )?(?:articles|stories)\b|\b(?:free )?(?:article|story) limit\b"),
    _strong(SUBSCRIPTION, "free half", r"\bfirst (?:month|year|week|\d+ (?:days|weeks|months)) (?:is |are )?(?:free|on us|for just|half price)\b"),
    _strong(SUBSCRIPTION, "anytime", r"\bcancel (?:at )?any ?time\b"),
    _strong(REGISTRATION, "account log sign login signin", r"\bcreate (?:a |an |your )?(?:free )?account\b|\b(?:log|sign) ?in (?:or|to (?:your|continue|read|keep|comment|access|save|join|post|reply))\b|\bor (?:log|sign) ?in\b"),
    _strong(SUBSCRIPTION, "free", r"\b(?:out of|no more|run out of|used (?:up )?(?:all )?(?:of )?(?:your|the)) (?:\w+ )?free (?:stories|articles|reads|pieces)\b"),
    _strong(REGISTRATION, "register", r"\bregister (?:now|today|for free|free|here|to (?:read|continue|access|get|unlock))\b"),
    _strong(PROMO, "forward share send", r"\b(?:forward|share|send) (?:this|it) (?:[\w-]+ )?(?:to|with) (?:a friend|friends|someone|others)\b"),
    _strong(PROMO, "notified notifications alerts", r"\b(?:get|receive|turn on) (?:\w+ ){0,2}(?:notified|notifications|alerts)\b[^.]{0,40}\b(?:when we|from us|your (?:phone|inbox|device))\b|\b(?:sent|delivered|straight) to your (?:phone|device|mobile)\b"),
    _strong(REGISTRATION, "thanks thank", r"\bthanks? (?:you )?for (?:reading|visiting|subscribing|your interest|being a)\b"),
    # newsletters
    _strong(NEWSLETTER, "inbox inboxes", r"\b(?:to|in|into) your (?:e-?mail )?inbox(?:es)?\b"),
    _strong(NEWSLETTER, "newsletter newsletters", r"\bsign(?:ing)?[ -]?up\b[^.]{0,80}?\bnewsletters?\b|\bsubscrib(?:e|ing) to (?:our|the|this|my|\w+['’]s)\b[^.]{0,60}?\bnewsletters?\b|\b(?:get|receive|want) (?:our|the|this) (?:[\w-]+ ){0,3}newsletters?\b|\bour (?:[\w-]+ ){0,3}newsletters?\b"),
    _strong(NEWSLETTER, "email address", r"\b(?:enter|add|type|submit|leave) your (?:e-?mail|email address)\b"),
    _strong(NEWSLETTER, "unsubscribe", r"\bunsubscribe (?:at )?any ?time\b"),
    # ad blockers
    _strong(ADBLOCK, "adblock adblocker adblockers blocker blockers blocking whitelist allowlist", r"\b(?:disable|turn(?:ing)? off|pause|switch off|whitelist|allowlist|deactivate|unblock)\w* (?:your |the |an? )?ad[ -]?block\w*|\byour ad[ -]?block\w*|\bad[ -]?block\w* (?:is|are) (?:on|enabled|active|detected)|\b(?:whitelist|allowlist) (?:us|our site|this site)\b|\b(?:using|use|have|running) an? ad[ -]?block\w*|\bad[ -]?blocking (?:turned on|enabled|on)\b|\b(?:adding|add) us to your (?:allowlist|whitelist)\b"),
    # legal and syndication boilerplate
    _strong(LEGAL, "personal commercial copies agreement law reserved reprints reprint copyright redistributed reproduced", r"\bpersonal,? non-?commercial use\b|\bnon-?personal use\b|\border (?:multiple|presentation-ready|reprint) copies\b|\b(?:subscriber|user|license|licence) agreement\b|\bcopyright law\b|\ball rights reserved\b|\breprints?\b[^.]{0,40}\b(?:contact|visit|call|order)\b|^(?:copyright|©) (?:\d{4}|©)|\bmay not be (?:[\w-]+,? (?:or )?){0,5}(?:redistributed|reproduced|republished)\b"),
    _strong(REPUBLICATION, "originally published appeared version", r"^(?:this|the above|a version of this) (?:story|article|piece|post|column|essay)\b[^.]{0,40}\b(?:originally|first) (?:published|appeared|ran|posted)\b|^a version of this (?:story|article)\b"),
    _strong(REPUBLICATION, "partnership collaboration permission support grant funded", r"^(?:editor['’]s note:? )?(?:this|the following|the above) (?:story|article|piece|report|series|coverage|project|investigation)\b[^.]{0,80}\b(?:in partnership with|in collaboration with|with (?:the )?permission|with (?:the )?support (?:of|from)|funded by|a grant from)\b"),
    _strong(REPUBLICATION, "permission", r"\b(?:shared|used|published|reproduced|republished|reprinted) (?:here )?with (?:the )?(?:kind )?permission\b"),
    _strong(REPUBLICATION, "republished reproduced reprinted", r"\b(?:republished|reproduced|reprinted|cross-posted) (?:here )?(?:with (?:the )?permission|as part of|under (?:a|the) (?:creative commons|cc)|courtesy of|through a partnership|in partnership)\b"),
    # metering, paywalls and registration walls
    _strong(SUBSCRIPTION, "articles stories reads pieces", r"\byou(?:['’]ve| have) (?:read|viewed|used(?: up)?|reached|hit|opened) (?:\d+|\w+) (?:of (?:\d+|\w+|your|the) )?(?:free |complimentary )?(?:articles|stories|reads|pieces)\b"),
    _strong(SUBSCRIPTION, "free last final", r"\b(?:\d+|one|two|three|four|five|no) (?:more )?free (?:articles?|stories|story|reads?|pieces?) (?:left|remaining)\b|\byour (?:last|final) free (?:article|story|read|piece)\b|\b(?:this is|this was) your (?:last|final) (?:free )?(?:article|story|read|piece)\b"),
    _strong(SUBSCRIPTION, "limit allowance quota", r"\byou(?:['’]ve| have)? (?:hit|reached|used up|exhausted) (?:your|the|this) (?:[\w-]+ )?(?:limit|allowance|quota)\b|\byour (?:[\w-]+ )?(?:limit|allowance|quota) of free\b"),
    _strong(SUBSCRIPTION, "plan subscription package", r"(?:^|[.:;,] |\bplease |\bor )(?:pick|choose|select) (?:a|your|one) (?:[\w-]+ )?(?:plan|subscription|package)\b"),
    _strong(SUBSCRIPTION, "cancel", r"\bcancel (?:whenever|when|any time|anytime) you (?:like|want|wish)\b"),
    _strong(SUBSCRIPTION, "expired ended lapsed expires expiring", r"\byour (?:[\w-]+ )?(?:subscription|membership|trial|access) (?:has |have |is about to |will )?(?:expired?|end(?:ed|s)?|lapsed?|expiring)\b"),
    _strong(REGISTRATION, "account", r"\b(?:don['’]t|do not) (?:yet )?have an? (?:[\w-]+ )?account\b"),
    _strong(REGISTRATION, "profile", r"\bcreate (?:a |an |your )?(?:free )?profile\b"),
    # apps, podcasts, delivery
    _strong(PROMO, "app", r"\b(?:download|get|install|try|open (?:\w+ ){0,3}in) our (?:[\w-]+ )?app\b|^(?:download|get|install|open (?:\w+ ){0,3}in) the (?:[\w-]+ )?app\b"),
    _strong(PROMO, "podcasts", r"\bwherever you (?:get|listen to|find) (?:your )?podcasts\b"),
    _strong(NEWSLETTER, "straight direct directly delivered sent", r"\b(?:straight|direct(?:ly)?|delivered) to (?:you|your (?:inbox|phone|door|device|letterbox))\b|\bdelivered (?:to you )?by e-?mail\b|\b(?:get|have) (?:them|it|this|these) (?:delivered|sent)\b"),
    # giving
    _strong(DONATION, "give spare afford manage contribute pay", r"\b(?:whatever|what|anything) you can (?:give|spare|afford|manage|contribute|pay|chip in)\b"),
    _strong(DONATION, "give donate pledge chip", r"^(?:please )?(?:give|donate|pledge|chip in) (?:just )?[$£€]\s?\d"),
    _strong(DONATION, "paid", r"\bpaid (?:for it )?so (?:that )?you (?:wouldn|don|didn|won|could|can|do)"),
    _strong(DONATION, "free", r"\bfree (?:for you )?to read\b[^.]{0,40}\b(?:thanks to|because)\b"),
    _strong(MEMBERSHIP, "be", r"^be (?:one of (?:them|us)|part of (?:it|this|us|our))\b"),
    _strong(MEMBERSHIP, "become becoming", r"\b(?:become|becoming) (?:[\w-]+ )?(?:members|supporters|subscribers|patrons|donors)\b"),
    # ad blockers
    _strong(ADBLOCK, "blocking ads allow enable detected", r"\b(?:you['’]re|you are) blocking (?:ads|adverts|advertising)\b|\b(?:allow|enable|unblock|permit) (?:ads|adverts|advertising) (?:on|for) (?:this|our)\b|\bad[ -]?block(?:er|ing)? detected\b|\badd (?:this site|us) to your (?:[\w-]+ )?(?:list|exceptions)\b"),
    # republication
    _strong(REPUBLICATION, "republish reprint reuse republication", r"^(?:republish|reprint|reuse) (?:this|our) (?:article|story|stories|piece|content|work)\b|\byou (?:may|can|are free to|are welcome to) (?:republish|reprint|reproduce|reuse)\b"),
    _strong(REPUBLICATION, "ran first", r"^(?:this|the above|a version of this) (?:story|article|piece|post|column|essay)\b[^.]{0,40}\b(?:originally|first) (?:published|appeared|ran|posted)\b"),
    # features: they add a category, not a verdict
    _feature(SELF, "this our click tap", r"\bthis (?:article|story|piece|page|site|website|newsletter|podcast|report|post|app|episode)\b|\bour app\b|\b(?:click|tap) (?:here|below|this link|the (?:link|button))\b"),
    _feature(PRICE, "coffee sandwich latte pint beer cappuccino snack lunch", r"\b(?:less than|price of|cost of|cheaper than) (?:the price of )?an? (?:cup of |single )?(?:coffee|sandwich|latte|pint|beer|cappuccino|snack|lunch)\b"),
    _feature(GIVE, "lights", r"\bkeeps? the lights on\b"),
    _feature(GIVE, "matching match", r"\b(?:matching|match) (?:challenge|campaign|gift|drive|deadline)\b"),
    _feature(IDENTITY, "part", r"\b(?:be|become) (?:a )?part of (?:it|this|us|our|the (?:community|team|movement))\b"),
    _feature(SIGN, "cookies", r"\b(?:accept|agree to|consent to|allow) (?:our |the |all )?(?:use of )?cookies\b"),
    _feature(SIGN, "free ads adverts advertising tracking", r"\bad-free\b|\bwithout (?:ads|adverts|advertising|tracking)\b|\bno (?:ads|tracking)\b"),
    _feature(SIGN, "pay paid paying", r"\bpa(?:y|id|ying) (?:to read|for (?:it|this|journalism|news))\b"),
    _strong(SUBSCRIPTION, "subscription membership", r"(?:^|[.:;,] |\bor |\bplease )take out an? (?:[\w-]+ )?(?:subscription|membership)\b"),
    _feature(TEASER, "experience", r"\bfor the best (?:reading )?experience\b"),
    _feature(TEASER, "episode episodes", r"\bnew episodes?\b"),
    _feature(TEASER, "every", r"\bevery (?:weekday|morning|evening|week|weekend|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"),
    _feature(TEASER, "going", r"\bto keep going\b"),
    _feature(VOICE, "grateful", r"\bwe(?:['’]d| would) be (?:so |very |really |most )?grateful\b"),
    _feature(GIVE, "chip chipping", r"\bchip(?:ping)? in\b"),
    _feature(SIGN, "sign signs signing", r"\bsign(?:s|ing)?[ -](?:up|on)\b"),
    _feature(SIGN, "log sign", r"\b(?:log|sign) in\b"),
    _feature(SIGN, "advertising ads", r"\b(?:relies|rely|depends?|counts?) on (?:advertising|ads|ad revenue)\b"),
    _feature(SIGN, "app podcast podcasts", r"\b(?:our|the) (?:[\w-]+ )?(?:app|podcast)\b"),
    _feature(TEASER, "message banner", r"\bsee this (?:message|banner|pop-?up|notice)\b|\bthis (?:message|banner|pop-?up) (?:again|will)\b"),
    _feature(TEASER, "plenty lots much", r"\b(?:plenty|lots|much) more (?:where (?:that|this) came from|like this|to (?:read|come|explore|discover))\b"),
    _feature(TEASER, "want need", r"\b(?:want|need) (?:more|to read more)\b"),
    _feature(TEASER, "enjoy enjoyed love", r"\b(?:enjoy(?:ed)?|love) (?:this|reading|what we do)\b"),
    _feature(TEASER, "miss", r"\b(?:don['’]t|never) miss\b"),
    _feature(TEASER, "useful helpful", r"\bfound this (?:useful|helpful|interesting)\b"),
    _feature(TEASER, "best", r"\bthe best (?:in|of) \w+ from\b|\bthe best of (?:our|the) \w+\b"),
    _feature(TEASER, "stay", r"\bstay (?:smart|informed|up to date|in the know|ahead)\b"),
    _feature(TEASER, "latest top", r"\bthe latest (?:news|updates|stories|headlines)\b|\btop (?:stories|headlines)\b"),
    _feature(TEASER, "before", r"\bbefore you (?:go|scroll|leave|read on|move on|click away)\b"),
    _feature(TEASER, "free quick easy minute minutes second seconds moment", r"^(?:it['’]s|it is) (?:free|quick|easy)\b|\btakes (?:just |only )?(?:less than )?(?:a|one|two|three|\d+|a few) (?:minute|second|moment)s?\b"),
    _feature(TEASER, "tip tips", r"\b(?:have|got) an? (?:news )?tip\b"),
    _feature(IDENTITY, "our", r"\bour (?:[\w-]+ )?(?:journalism|reporting|journalists|reporters|newsroom|work|coverage|content|stories|articles|writers|editors|mission|website|site|investigations?|readers|supporters|members|subscribers|listeners)\b"),
    _feature(IDENTITY, "newsroom organization organisation outlet publication site", r"\b(?:is|are) an? (?:[\w-]+ ){0,4}(?:newsroom|news organi[sz]ation|news outlet|publication|news site|media outlet)\b"),
    _feature(IDENTITY, "independent quality trustworthy trusted fearless investigative great", r"\bindependent (?:[\w-]+ )?(?:journalism|news|media|reporting|newsroom)\b|\b(?:quality|trustworthy|trusted|fearless|investigative|great) journalism\b"),
    _feature(IDENTITY, "site website newsroom publication paper magazine podcast app show", r"\b(?:this|our) (?:site|website|newsroom|publication|paper|magazine|podcast|app|show)\b"),
    _feature(IDENTITY, "like", r"\b(?:reporting|journalism|stories|work|coverage|articles) like (?:this|ours)\b"),
    _feature(IDENTITY, "open available everyone", r"\b(?:open|available|free) (?:to|for) (?:all|everyone|every reader)\b"),
)  # fmt: skip
PHRASES_BY_TRIGGER: dict[str, tuple[Phrase, ...]] = {}
TRIGGERS: frozenset[str]
for _phrase in PHRASES:
    for _trigger in _phrase.triggers:
        PHRASES_BY_TRIGGER[_trigger] = (*PHRASES_BY_TRIGGER.get(_trigger, ()), _phrase)
TRIGGERS = frozenset(PHRASES_BY_TRIGGER)

# A block none of whose words is in GATE (lowercase) or CAPITALIZED_GATE (as
# written) cannot hold an appeal sentence, so it is not scored at all: most
# story paragraphs skip the per-sentence work this way. The check splits on
# whitespace only (fast), so the sets also hold each word with the punctuation
# that commonly clings to it.
_CLINGING = ("", ",", ".", ":", ";", "?", "!", ")", "”", '"', "’", "'", "—", "…", ".”", ',"')
_OPENING = ("", "(", "“", '"', "‘", "—")


def _with_punctuation(base: list[str]) -> frozenset[str]:
    return frozenset(lead + word + tail for word in base for lead in _OPENING for tail in _CLINGING)


# A sentence can only stand alone as an appeal with an anchor (the outlet's
# voice, its products, "this article") or a strong phrase, so the gate holds
# those words and the phrases' triggers, but not "you"/"your" or common words
# that some phrase needs next to a word that is already in the gate.
_NOT_GATES = words(
    "be first last final going plan without goal full possible already half published version"
    " direct directly straight care value users share forward this every like best want need"
    " love before top open available everyone part one ran counts count limit become becoming"
    " supporter supporters supports supported supporting"
)
GATE = _with_punctuation(
    sorted(
        {
            word
            for word, (category, _) in WORD_TABLE.items()
            if category in (VOICE, GIVE, SIGN) and word not in _NOT_GATES
        }
        | {
            trigger
            for phrase in PHRASES
            if phrase.rule
            for trigger in phrase.triggers
            if trigger not in _NOT_GATES and WORD_TABLE.get(trigger, ("",))[0] != ADDRESS
        }
        | ANCHOR_WORDS
        | words("us advertisement sponsored copyright © readers delivered friend piece page site")
        | words("website post")
    )
)
# Capitalised words that open page chrome ("Read more", "Sign up", "Advertisement").
CAPITALIZED_GATE = _with_punctuation(
    sorted(
        words(
            "Read Continue Story Advertisement Supported Related More Watch Listen Recommended"
            " Share Follow Our Skip Scroll Sponsored Paid Promoted Subscribe Donate Register"
            " Join Sign Log Support Learn Click Tap Download Unlock Upgrade Disable Whitelist"
            " Become Chip"
        )
    )
)


PRICE_PATTERN = re.compile(
    r"[$£€]\s?\d[\d.,]*\s*(?:/|a|an|per|each)\s*(?:month|mo|year|yr|week|wk)\b"
    r"|\b\d+ (?:days|weeks|months)['’]? (?:free|complimentary)\b|\bjust [$£€]\s?\d",
    re.I,
)

# Whole short sentences that are page chrome, whatever surrounds them.
CHROME: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (rule, re.compile(pattern, re.I))
    for rule, pattern in (
        ("chrome.ad", r"(?:advertisement|advert|ads?|sponsored(?: content| post| links?)?|paid (?:content|post|partnership)|promoted(?: content)?|skip (?:advertisement|ad)|(?:story|article) continues (?:below|after (?:this )?(?:advertisement|ad))(?: advertisement)?|scroll to continue(?: with content)?|supported by)"),
        ("chrome.readmore", r"(?:(?:read more|related|see also|also read|read also|more|watch|listen|recommended) ?:.*|continue reading(?: the main story| below| here)?|read (?:more|the full (?:story|article)|next)|(?:read|see) (?:more|also):.*|learn more|click here|listen to (?:this|the) (?:article|story)(?: \d+ min(?:ute)?s?)?)"),
        ("chrome.cta", r"(?:support (?:now|us|(?:our|independent) journalism)|donate(?: now| today| here)?|subscribe(?: now| today| here)?|sign ?up(?: now| here| today| for free)?|register(?: now| for free)?|log ?in|sign ?in|join(?: us| now| today)?|become an? (?:member|subscriber|supporter))"),
        ("chrome.share", r"(?:share(?: this(?: article| story)?)?(?: on \w+)?|follow us(?: on \w+)?)"),
        ("chrome.related", r"(?:related(?: articles| stories| content| coverage)?:?|recommended(?: for you| stories)?|most (?:read|popular)|trending(?: now)?)"),
        ("chrome.standards", r"our (?:editorial )?standards:.*|.*\btrust principles"),
    )
)  # fmt: skip
CHROME_MAX_WORDS = 8
# A label that introduces a link to another story, whatever follows it.
CHROME_PREFIX = re.compile(
    r"(?:read more|related|see also|also read|read also|more|watch|listen|recommended)\s*:", re.I
)
# Words that can give a sentence a score of its own (a word feature, a
# specific phrase trigger, an anchor, a time unit of a price), and the words of
# chrome labels, with clinging punctuation: a sentence with none of them, no
# call to action in front and no price or question is not scored at all.
SIGNAL_TOKENS = GATE | _with_punctuation(sorted(set(WORD_TABLE) | words("us days weeks months")))
CTA_TOKENS = _with_punctuation(sorted(CTA_VERBS))
# In a short sentence, every phrase trigger counts too ("Be one of them.").
SHORT_TOKENS = _with_punctuation(
    sorted(
        TRIGGERS
        | words(
            "advertisement advert ads ad sponsored paid promoted skip story article continues"
            " scroll supported read more related see also watch listen recommended continue"
            " learn click here support donate subscribe sign signup register log login join"
            " become share follow trending most popular standards trust principles"
        )
    )
)
