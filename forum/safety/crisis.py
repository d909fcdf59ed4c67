"""Crisis-language check: phrases that may mean someone is at risk, and whose risk, and when.

A match brings up a calm interstitial with crisis help before a story, reply or search goes on
(UX.md item 19), and marks the span for moderators (PRODUCT.md, moderation). It never blocks
posting, so a false positive costs one extra screen while a miss can cost much more: the
lexicon leans towards matching, and skips only phrases that are plainly about something else
("killing time", "cut myself off", "die laughing", "hopeless at maths").

Each match also carries a kind, read from the words around it in the way of the ConText
algorithm for clinical notes (Harkema, Dowling, Thornblade and Chapman, J Biomed Inform 2009,
42(5):839-851, an extension of NegEx): trigger words before the phrase, with conjunctions
and new subjects closing the window.
- CURRENT: the writer, now ("I want to die", "I've been self-harming again", "kms").
- THIRD_PERSON: someone else ("my friend tried to kill herself", "he wants to die").
- PAST: the writer, before ("I was suicidal in 2019", "I used to self-harm").
- NEGATED: denied ("I never felt suicidal", "not suicidal").
Every kind still shows the teller calm help; only CURRENT puts an item first for moderators.

Where the phrases come from (forum/data/README.md, "Crisis lexicon", lists the sources):
the wish-to-be-dead, ideation, intent and plan steps of the Columbia Suicide Severity Rating
Scale (Posner et al., Am J Psychiatry 2011); the warning signs that NIMH, 988 and AFSP publish
(hopelessness, no reason to live, being a burden, feeling trapped, stockpiling pills, saying
goodbye, giving things away); the platform-evasion words people use online ("unalive",
"sewerslide", "kms", WIRED 2022 on TikTok's algospeak); and Samaritans' guidelines for sites
and platforms (recognise risk, signpost support, never block someone reaching out).

THE PHRASE LIST NEEDS CLINICAL REVIEW before launch (UX.md marks the trigger list as a guess).
It is English only, and it follows safe-messaging guidance: it recognises risk, it never
describes methods beyond the words people already use.

Matching is linear in the text's length whatever it holds: every phrase is an RE2 automaton
(no backtracking), and each match's context is read from a window of bounded size.
"""

from __future__ import annotations

import enum
import itertools
import re
from dataclasses import dataclass

from forum.safety.patterns import LinearPattern, linear


class Category(enum.StrEnum):
    """What a match is about, for the moderation queue's "why it is here"."""

    SUICIDAL = "suicidal thoughts"
    SELF_HARM = "self-harm"
    OVERDOSE = "overdose"
    PLAN = "a plan or preparations"
    HOPELESSNESS = "hopelessness"


class Kind(enum.StrEnum):
    """Whose risk a match is about and when, most urgent first (see PRIORITY)."""

    CURRENT = "current"
    THIRD_PERSON = "third_person"
    PAST = "past"
    NEGATED = "negated"


# The moderation queue's order: the writer at risk now first, a denial last.
PRIORITY = {Kind.CURRENT: 0, Kind.THIRD_PERSON: 1, Kind.PAST: 2, Kind.NEGATED: 3}

# How moderators read each kind next to the category ("Crisis language: self-harm, in the past").
KIND_LABELS = {
    Kind.CURRENT: "",
    Kind.THIRD_PERSON: "about someone else",
    Kind.PAST: "in the past",
    Kind.NEGATED: "denied",
}


@dataclass(frozen=True)
class CrisisMatch:
    """A span of text that suggests someone may be at risk, and whose risk and when."""

    category: Category
    start: int
    end: int
    text: str
    kind: Kind = Kind.CURRENT

    @property
    def label(self) -> str:
        """The category with its kind, for moderators ("self-harm, in the past")."""
        said = KIND_LABELS[self.kind]
        return f"{self.category.value}, {said}" if said else self.category.value


# Typed apostrophes vary (’ ‘ ʼ ′ `); map them to ' one for one so spans stay true. Unicode
# spaces become ASCII ones (RE2's \s is ASCII) and line separators become line breaks.
_NORMAL = str.maketrans(
    {
        **{ch: "'" for ch in "’‘ʼ′`´"},
        **{ch: " " for ch in "\x1c\x1d\x1e\x1f\x85\xa0\u1680\u202f\u205f\u3000"},
        **{chr(c): " " for c in range(0x2000, 0x200B)},
        "\u2028": "\n",
        "\u2029": "\n",
    }
)

_S = r"\s+"
_SELF = r"(?:my\s*self|me\s*self|myslef|mysef)"  # "me" alone is left out: "she hurt me"
_OTHER_SELF = r"(?:him\s*self|her\s*self|them\s*sel(?:f|ves))"
_ANY_SELF = rf"(?:{_SELF}|{_OTHER_SELF})"
_NOT = (
    r"(?:do\s*n'?t|dont|did\s*n'?t|didnt|does\s*n'?t|doesnt|not|never|no\s+longer"
    r"|wo\s*n'?t|wont)"
)
_CANT = r"(?:ca\s*n'?t|cant|cannot|can\s+not)"
_ANYMORE = r"(?:any\s*more|no\s+more)"
_IM = r"(?:i\s+am|i'?m|im)"
_WANT = r"(?:want(?:ed|s|ing)?\s+(?:to|2)|wanna|wana)"
_PILLS = r"(?:pills|tablets|meds|medication|painkillers|paracetamol|sleeping\s+pills)"
_WHOSE = r"(?:my|his|her|their)"
_INTENSE = r"(?:(?:so|completely|utterly|totally|really|just|very|deeply|pretty)\s+)?"


@dataclass(frozen=True)
class _Rule:
    category: Category
    pattern: str
    # Skip the match when this follows it straight away ("cut myself | off").
    unless_next: str | None = None
    # Skip the match when the text before it ends like this ("5 | kms").
    unless_before: str | None = None


_NOT_WAKE = (
    r"\s+(?:early|before|until|till|at\b|in\s+time|on\s+time|when|to\s+(?:my|the|an?)\b|for)"
)
_NOT_LIVE = (
    r"\s+(?:in|with|at|near|there|on|abroad|alone|together|somewhere|anywhere|by|next"
    r"|like\s+that|under|through|off|nearby|round|around)\b"
)
_NOT_HERE = r",?\s+(?:in|at|for|when|while|with|on|during|today|right\s+now\s+in)\b"
_NOT_OFF = (
    r"\s+(?:off|out|short|free|loose|up|some\s+slack|a\s+break|a\s+slice|a\s+piece"
    r"|down\s+to\s+size|shaving|cooking|by\s+accident|accidentally|on\s+(?:a|the)\b)"
)

_NOT_DRUG = (
    r"\s+(?:on|of)\s+(?:coffee|caffeine|sugar|chocolate|tv|netflix|carbs|cake|sweets|positivity"
    r"|information|kindness|jargon)\b"
)

_RULES: list[_Rule] = [
    # --- Suicide named, misspelt or in the words used to get past filters -------------------
    _Rule(
        Category.SUICIDAL,
        r"\b(?:suicid|sucid|suicd|suisid|suiscid|suacid|suiced|sucicid|suiside)\w*",
        unless_next=r"\s+(?:squad|doors?|blonde|mission)\b",
        # "career suicide", "social suicide": a figure of speech.
        unless_before=r"(?:career|social|political|commercial|professional|financial)[\s-]*$",
    ),
    _Rule(Category.SUICIDAL, r"\bsewer\s*slid\w*|\bsui\s*slide\w*"),
    _Rule(Category.SUICIDAL, r"\bun-?aliv\w*"),
    # "kms" (kill myself); "5 kms" is a distance and "kmsl" is "killing myself laughing".
    _Rule(Category.SUICIDAL, r"\bkms\b", unless_before=r"\d\s*$"),
    _Rule(Category.SUICIDAL, r"\bctb\b"),
    _Rule(
        Category.SUICIDAL,
        rf"\bkill(?:ing|ed|s)?{_S}{_ANY_SELF}\b",
        # "killing myself laughing", "killing myself to get there on time": effort, not intent.
        unless_next=(
            r"\s+(?:laughing|with\s+laughter|over\b|trying|working|to\s+(?:get|make|keep|finish"
            r"|be|do|meet|please|pay)|for\s+(?:her|him|them|this|that|work|nothing))\b"
        ),
    ),
    _Rule(
        Category.SUICIDAL,
        rf"\b(?:end(?:ing|ed|s)?|take|taking|took|takes){_S}{_WHOSE}{_S}(?:own{_S})?life\b",
        unless_next=(
            r"(?:\s+savings|\s+story|\s+insurance|'s|s\b|\s+back|\s+apart|\s+over"
            r"|\s+as\s+i\s+knew|\s+into\s+(?:my|her|his|their)\s+own\s+hands)"
        ),
    ),
    _Rule(Category.SUICIDAL, rf"\bend(?:ing|ed|s)?{_S}it{_S}all\b"),
    _Rule(
        Category.SUICIDAL,
        rf"\b(?:{_WANT}|going{_S}to|gonna|ready{_S}to|plan(?:ning)?{_S}to|like"
        rf"|about{_S}to|thinking{_S}(?:of|about)|tempted{_S}to){_S}"
        rf"end(?:ing)?{_S}(?:it|things|everything)\b",
        # "end it with her", "end it properly": ending therapy or a relationship.
        unless_next=(
            r",?\s+(?:with|between|there|here|early|off|up|on\b|for\s+(?:her|him|them)|properly"
            r"|after|before|by\b|when|amicably|officially|now\s+with)"
        ),
    ),
    _Rule(
        Category.SUICIDAL,
        rf"\bend{_S}it{_S}(?:tonight|today|now|soon|for{_S}good|once{_S}and{_S}for{_S}all)\b",
    ),
    _Rule(
        Category.SUICIDAL,
        rf"\b(?:{_WANT}|wish(?:ed)?{_S}(?:to|i{_S}could)|ready{_S}to|deserve{_S}to|going{_S}to"
        rf"|gonna|rather|hope{_S}i|just{_S}want{_S}to|need{_S}to){_S}(?:just{_S})?die\b",
        unless_next=(
            r"\s+(?:(?:of|from)\s+(?:embarrassment|shame|boredom|cringe|laughing)|laughing"
            r"|for\b|inside\b|a\s+little)"
        ),
    ),
    _Rule(
        Category.SUICIDAL,
        rf"\bwish(?:ed|ing)?{_S}(?:that{_S})?i{_S}(?:was|were|'?d{_S}be|could{_S}be|am){_S}dead\b",
    ),
    _Rule(
        Category.SUICIDAL,
        rf"\bwish(?:ed|ing)?{_S}(?:that{_S})?i{_S}(?:had|'?d|was|were){_S}never{_S}"
        rf"(?:been{_S})?born\b",
    ),
    _Rule(
        Category.SUICIDAL,
        rf"\b(?:better{_S}off|rather{_S}be|might{_S}as{_S}well{_S}be|be{_S}better){_S}dead\b",
    ),
    _Rule(Category.SUICIDAL, rf"\b(?:better|happier){_S}(?:off{_S})?without{_S}me\b"),
    _Rule(
        Category.SUICIDAL,
        rf"\b(?:better{_S}off|happier){_S}(?:once|when|after){_S}(?:i'?m|im|i{_S}am|i'?ve{_S}been)"
        rf"{_S}(?:gone|dead|not{_S}here|not{_S}around)\b",
    ),
    _Rule(
        Category.SUICIDAL,
        rf"\b(?:{_WANT}|wish(?:ed)?{_S}to|would{_S}rather|'?d{_S}rather){_S}be{_S}(?:dead|gone)\b",
    ),
    _Rule(
        Category.SUICIDAL,
        rf"\bwish(?:ed|ing)?{_S}(?:that{_S})?i{_S}(?:was\s*n'?t|were\s*n'?t|wasnt|werent|was{_S}not"
        rf"|did\s*n'?t|didnt|did{_S}not){_S}(?:here|alive|around|exist|born)\b",
    ),
    _Rule(Category.SUICIDAL, rf"\bwish(?:ed|ing)?{_S}(?:that{_S})?i{_S}(?:was|were){_S}gone\b"),
    _Rule(Category.SUICIDAL, rf"\bhate{_S}(?:being{_S}alive|living|existing|being{_S}here)\b"),
    _Rule(
        Category.SUICIDAL,
        rf"\b{_WANT}{_S}(?:just{_S})?dye\b",
        unless_next=r"\s+(?:my|it|her|his|the|them|this|that|a|an|some|blue|red|pink|black|\w+\s+hair)\b",
    ),
    _Rule(
        Category.SUICIDAL,
        rf"\b(?:dying|death|being{_S}dead){_S}(?:would|'d|will|seems|feels){_S}(?:be{_S})?"
        rf"(?:easier|better|a{_S}relief|the{_S}only{_S}way)\b",
    ),
    _Rule(
        Category.SUICIDAL,
        rf"\b(?:{_CANT}|couldn'?t|could{_S}not|not{_S}sure{_S}(?:if{_S})?i{_S}can"
        rf"|do\s*n'?t{_S}(?:think|know{_S}if){_S}i{_S}can|unable{_S}to){_S}keep{_S}{_SELF}{_S}safe\b",
    ),
    _Rule(
        Category.SUICIDAL,
        rf"\b(?:{_CANT}|do\s*n'?t|dont|couldn'?t|never){_S}see{_S}(?:the|any){_S}point{_S}"
        rf"(?:in|of){_S}(?:living|life|going{_S}on|being{_S}alive|carrying{_S}on|being{_S}here)\b",
    ),
    _Rule(
        Category.SUICIDAL,
        rf"\b(?:everyone|everybody|world|family|people|all|they){_S}"
        rf"(?:(?:would|'d|will|are|is){_S})?(?:be{_S})?better{_S}off{_S}without{_S}"
        r"(?:him|her|them)\b",
    ),
    _Rule(
        Category.SUICIDAL,
        rf"\b(?:better{_S}off|happier){_S}if{_S}i{_S}(?:was|were|wasn'?t|weren'?t|was{_S}not|died"
        r"|did\s*n'?t)\b",
    ),
    _Rule(
        Category.SUICIDAL,
        rf"\b(?:no|any|not{_S}any|what'?s{_S}the|what{_S}is{_S}the){_S}(?:reason|point){_S}"
        rf"(?:(?:to|in|of){_S})?(?:live|living|life|go(?:ing)?{_S}on|be(?:ing)?{_S}alive"
        rf"|be(?:ing)?{_S}here|carry(?:ing)?{_S}on|stay(?:ing)?{_S}alive|exist(?:ing)?)\b",
        unless_next=_NOT_LIVE,
    ),
    _Rule(Category.SUICIDAL, rf"\bnothing{_S}(?:left{_S})?to{_S}live{_S}for\b"),
    _Rule(
        Category.SUICIDAL,
        rf"\b(?:is\s*n'?t|isnt|not|no{_S}longer|never|is{_S}not){_S}worth{_S}living\b",
        unless_next=_NOT_LIVE,
    ),
    _Rule(
        Category.SUICIDAL,
        rf"\b(?:do\s*n'?t|dont|do{_S}not){_S}deserve{_S}to{_S}(?:live|be{_S}alive|exist"
        rf"|be{_S}here)\b",
    ),
    _Rule(
        Category.SUICIDAL,
        rf"\b{_NOT}{_S}(?:(?:even|really|just){_S})?(?:want(?:ing|ed)?{_S}to|wanna){_S}"
        rf"(?:be{_S}alive|exist|stay{_S}alive|be{_S}around{_S}{_ANYMORE}|go{_S}on)\b",
    ),
    _Rule(
        Category.SUICIDAL,
        rf"\b{_NOT}{_S}(?:(?:even|really|just){_S})?(?:want(?:ing|ed)?{_S}to|wanna){_S}live\b",
        unless_next=_NOT_LIVE,
    ),
    _Rule(
        Category.SUICIDAL,
        rf"\b{_NOT}{_S}(?:(?:even|really|just){_S})?(?:want(?:ing|ed)?{_S}to|wanna){_S}"
        rf"be{_S}(?:here|around)\b",
        unless_next=_NOT_HERE,
    ),
    _Rule(
        Category.SUICIDAL,
        rf"\b(?:{_NOT}{_S}(?:(?:even|really|just){_S})?(?:want(?:ing|ed)?{_S}to|wanna)"
        rf"|never|not|do\s*n'?t|dont|wo\s*n'?t|wont|would\s*n'?t|wouldnt){_S}(?:to{_S})?"
        rf"wake{_S}up(?:{_S}again)?\b",
        unless_next=_NOT_WAKE,
    ),
    _Rule(
        Category.SUICIDAL,
        rf"\b{_WANT}{_S}not{_S}(?:exist|be{_S}here|be{_S}alive|wake{_S}up|be{_S}around)\b",
    ),
    _Rule(Category.SUICIDAL, rf"\bsleep{_S}(?:forever|for{_S}ever|and{_S}never{_S}wake)\b"),
    _Rule(
        Category.SUICIDAL,
        rf"\bnot{_S}sure{_S}(?:(?:if|whether){_S})?i{_S}(?:want|wanna|can){_S}(?:to{_S})?"
        rf"(?:live|go{_S}on|keep{_S}going|carry{_S}on|be{_S}here|be{_S}alive|stay{_S}alive)\b",
    ),
    _Rule(
        Category.SUICIDAL,
        rf"\b{_CANT}{_S}(?:go{_S}on|carry{_S}on|keep{_S}going|keep{_S}living|do{_S}this"
        rf"|take{_S}(?:it|this)|cope|handle{_S}(?:it|this|life)|live{_S}like{_S}this)"
        rf"(?:{_S}(?:{_ANYMORE}|like{_S}this|living)|\s*[.!]|\s*$)",
    ),
    _Rule(
        Category.SUICIDAL,
        rf"\bwo(?:n'?t|nt|{_S}not){_S}be{_S}(?:here|around){_S}(?:much{_S})?"
        rf"(?:longer|for{_S}long|tomorrow|next{_S}(?:week|year))\b",
    ),
    _Rule(
        Category.SUICIDAL,
        rf"\bwo(?:n'?t|nt|{_S}not){_S}be{_S}a{_S}(?:problem|burden|bother){_S}"
        rf"(?:(?:for|to){_S}(?:anyone|anybody|you|them){_S})?(?:much{_S})?(?:longer|soon|\s*[.!]|\s*$)",
    ),
    _Rule(Category.SUICIDAL, rf"\bsoon{_S}i{_S}wo(?:n'?t|nt|{_S}not){_S}be\b"),
    _Rule(Category.SUICIDAL, rf"\bdisappear{_S}(?:forever|for{_S}good|for{_S}ever)\b"),
    _Rule(
        Category.SUICIDAL,
        rf"\b(?:{_WANT}|wish{_S}i{_S}could|wish{_S}to){_S}(?:just{_S})?"
        rf"(?:disappear|vanish|stop{_S}existing|cease{_S}to{_S}exist)\b",
        unless_next=r"\s+(?:under|into|from|through|behind|when|for\s+a|off)\b",
    ),
    _Rule(Category.SUICIDAL, rf"\bhang(?:ing|ed|s)?{_S}{_ANY_SELF}\b"),
    _Rule(
        Category.SUICIDAL,
        rf"\bjump(?:ing|ed|s)?{_S}(?:off|from|in{_S}front{_S}of){_S}(?:a|the|my){_S}"
        r"(?:\w+\s+)?(?:bridge|building|roof|cliff|train|bus|car|lorry|truck|balcony)\b",
    ),
    _Rule(Category.SUICIDAL, rf"\bways{_S}to{_S}die\b"),
    # --- Plans and preparations (C-SSRS intent and plan; warning signs) ---------------------
    _Rule(
        Category.PLAN,
        rf"\bplan(?:s|ned|ning)?{_S}(?:to|for|on){_S}(?:die|dying|my{_S}death)\b",
    ),
    _Rule(Category.PLAN, rf"\ba{_S}plan{_S}and{_S}a{_S}date\b"),
    _Rule(
        Category.PLAN,
        rf"\b(?:set|picked|chosen|chose){_S}a{_S}date\b",
        unless_next=r"\s+(?:for|to|with|of)\b",
    ),
    _Rule(Category.PLAN, rf"\bgoodbye{_S}(?:note|letter|message|video)s?\b"),
    _Rule(
        Category.PLAN,
        rf"\b(?:wrote|written|writing|write){_S}(?:(?:a|my){_S})?(?:last{_S})?"
        rf"(?:note|letter)s?{_S}(?:for|to){_S}(?:my{_S})?(?:mum|mom|dad|family|parents|kids"
        r"|children|partner|husband|wife|everyone|friends?|sister|brother|loved\s+ones)\b",
    ),
    _Rule(
        Category.PLAN,
        rf"\bgiv(?:ing|en|e){_S}(?:away{_S})?(?:all{_S})?(?:of{_S})?my{_S}"
        rf"(?:things|stuff|belongings|possessions)(?:{_S}away)?\b",
    ),
    _Rule(Category.PLAN, rf"\bthis{_S}is{_S}(?:my{_S})?goodbye\b"),
    _Rule(Category.PLAN, rf"\bgo{_S}through{_S}with{_S}it\b"),
    _Rule(Category.PLAN, r"\bstock\s*pil\w*"),
    _Rule(
        Category.PLAN,
        rf"\b(?:sav(?:e|ed|ing)|hoard(?:ed|ing)?|collect(?:ed|ing)){_S}(?:up{_S})?"
        rf"(?:(?:all{_S})?(?:of{_S})?my{_S})?{_PILLS}\b",
    ),
    _Rule(Category.PLAN, rf"\b{_PILLS}{_S}(?:saved|stored|hidden){_S}(?:up|away)\b"),
    # --- Hopelessness, worthlessness, burden (warning signs) ---------------------------------
    _Rule(
        Category.HOPELESSNESS,
        rf"\b(?:{_IM}|i{_S}feel|i{_S}felt|feel(?:s|ing)?|felt|it'?s|it{_S}is|it{_S}was"
        rf"|everything{_S}(?:is|feels|felt|was|seems)|life{_S}(?:is|feels|felt|seems)"
        rf"|things{_S}(?:are|feel|felt|seem)|so|completely|utterly|totally|and){_S}{_INTENSE}"
        r"hopeless\b",
        # "hopeless at maths", "hopeless at remembering names"; not "hopeless at the time".
        unless_next=(
            r"\s+(?:at\s+(?:\w+ing|maths?|it|this|that|everything|anything|sports?|names"
            r"|english|directions|cooking|dates)\b|with|about|romantic|case\s+at|trying"
            r"|to\s+(?:try|complain|get|find|ask|argue|expect)"
            r"|when\s+it\s+comes)\b"
        ),
    ),
    _Rule(
        Category.HOPELESSNESS,
        rf"\b(?:{_IM}|i{_S}feel|feel(?:s|ing)?|felt|i{_S}was|made{_S}me{_S}feel|so|and"
        rf"|completely|utterly|totally|feel{_S}like{_S}i'?m){_S}{_INTENSE}worthless\b",
        unless_next=r"\s+(?:at|to\s+(?:her|him|them))\b",
    ),
    _Rule(
        Category.HOPELESSNESS,
        rf"\b(?:{_IM}|i{_S}feel{_S}like|feel(?:ing)?{_S}like|felt{_S}like|i{_S}was|being"
        rf"|i'?ve{_S}become|i{_S}have{_S}become|he'?s|she'?s|they'?re|he{_S}is|she{_S}is){_S}(?:(?:such|just|only|nothing{_S}but)"
        rf"{_S})?a{_S}(?:burden|waste{_S}of{_S}space|drain)\b",
    ),
    _Rule(
        Category.HOPELESSNESS,
        rf"\b(?:{_CANT}|couldn'?t|could{_S}not|do\s*n'?t|dont|never){_S}(?:see|find){_S}"
        rf"(?:any|a){_S}way{_S}out\b",
        unless_next=r"\s+(?:of|to|for)\b",
    ),
    _Rule(Category.HOPELESSNESS, rf"\bno{_S}way{_S}out\b", unless_next=r"\s+(?:of|to|for)\b"),
    _Rule(
        Category.HOPELESSNESS,
        rf"\b(?:nothing|things|it|life){_S}(?:will|is{_S}going{_S}to|is{_S}ever{_S}going{_S}to"
        rf"|'?s{_S}going{_S}to|'?ll){_S}(?:never|not{_S}ever){_S}(?:get{_S}better|change)\b",
    ),
    _Rule(Category.HOPELESSNESS, rf"\bnothing{_S}will{_S}ever{_S}(?:get{_S}better|change)\b"),
    _Rule(
        Category.HOPELESSNESS,
        rf"\b(?:tired|sick|exhausted|weary|had{_S}enough|have{_S}enough){_S}of{_S}(?:living|life|being{_S}alive|existing"
        rf"|it{_S}all|being{_S}here)\b",
    ),
    _Rule(
        Category.HOPELESSNESS,
        rf"\bdone{_S}with{_S}(?:life|living|it{_S}all|being{_S}alive|existing)\b",
    ),
    _Rule(
        Category.HOPELESSNESS,
        rf"\b(?:life|living|everything|existence|my{_S}life){_S}(?:is|feels|seems){_S}"
        rf"{_INTENSE}(?:pointless|meaningless)\b",
    ),
    _Rule(
        Category.HOPELESSNESS,
        rf"\bwant(?:s|ed)?{_S}(?:it{_S}all|everything|the{_S}pain|life){_S}to{_S}"
        rf"(?:stop|end|be{_S}over)\b",
    ),
    _Rule(
        Category.HOPELESSNESS,
        rf"\b{_IM}{_S}(?:beyond{_S}(?:help|saving)|past{_S}saving"
        rf"|a{_S}lost{_S}cause)\b",
    ),
    _Rule(
        Category.HOPELESSNESS,
        rf"\b(?:nobody|no{_S}one|noone|no-one){_S}(?:cares|would{_S}care|will{_S}care|gives"
        rf"{_S}a{_S}\w+){_S}(?:if|whether){_S}i{_S}(?:live{_S}or{_S}die|lived{_S}or{_S}died|die)\b",
    ),
    _Rule(
        Category.HOPELESSNESS,
        rf"\b(?:nobody|no{_S}one|noone|no-one){_S}(?:would|will|'d){_S}(?:even{_S})?"
        rf"(?:miss{_S}me|(?:care|notice){_S}if{_S}i{_S}(?:was|were|died|disappeared"
        r"|killed|wasn'?t|weren'?t|was\s+gone))\b",
    ),
    # --- Self-harm ----------------------------------------------------------------------------
    _Rule(Category.SELF_HARM, r"\bself[\s-]*(?:harm\w*|injur\w*|mutilat\w*)"),
    _Rule(Category.SELF_HARM, r"\bsh\s+(?:urges?|relapse\w*)\b"),
    _Rule(
        Category.SELF_HARM,
        rf"\b(?:cut|cutting)(?:{_S}my{_S}(?:arms?|legs?|wrists?))?"
        rf"{_S}again\b",
    ),
    _Rule(Category.SELF_HARM, rf"\burges?{_S}to{_S}(?:cut|burn|hurt{_S}{_SELF})\b"),
    _Rule(
        Category.SELF_HARM,
        rf"\b(?:hurt|hurting|hurts|harm|harming|harmed|harms|injure|injuring|injured)"
        rf"{_S}{_ANY_SELF}\b",
        unless_next=r"\s+(?:by\s+accident|accidentally|falling|at\s+the\s+gym|lifting)\b",
    ),
    _Rule(
        Category.SELF_HARM,
        r"\b(?:cut|cutting|cuts|burn|burning|burnt|burned|starve|starving|starved|punch"
        rf"|punching|punched|hit|hitting|scratch|scratching|scratched){_S}{_ANY_SELF}\b",
        unless_next=_NOT_OFF,
    ),
    # --- Overdose -----------------------------------------------------------------------------
    _Rule(Category.OVERDOSE, r"\bover[\s-]?dos\w*", unless_next=_NOT_DRUG),
    # Capitals only: lower-case "od" is rarely an overdose.
    _Rule(Category.OVERDOSE, r"(?-i:\bOD(?:'?d|ed|ing)?\b)", unless_next=_NOT_DRUG),
    _Rule(
        Category.OVERDOSE,
        rf"\b(?:took|take|taking|swallow(?:ed|ing)?){_S}"
        rf"(?:all{_S}(?:of{_S})?(?:my|the|them|those)|too{_S}many|loads{_S}of|a{_S}"
        rf"(?:bunch|load|handful|whole{_S}(?:box|bottle|packet)){_S}of)"
        rf"(?:{_S}(?:my|the|those|these))?{_S}{_PILLS}\b",
        unless_next=r"\s+(?:to|with\s+me)\b",
    ),
]


def _compile(pattern: str) -> LinearPattern:
    return linear(pattern, ignore_case=True)


def _compile_tail(pattern: str | None, anchor: str) -> LinearPattern | None:
    return None if pattern is None else _compile(anchor.format(pattern))


_COMPILED = [
    (
        rule.category,
        _compile(rule.pattern),
        _compile_tail(rule.unless_next, "^(?:{})"),
        _compile_tail(rule.unless_before, "(?:{})"),
    )
    for rule in _RULES
]
# Every phrase at once, to find where to look: a match of any one phrase starts inside a match
# of this one (its scan is leftmost-first from each point), so each phrase then runs only over
# those stretches and a little beyond. Most stories have none, and cost one pass.
_ANY = _compile("|".join(f"(?:{rule.pattern})" for rule in _RULES))
_REACH = 400  # how far past a candidate a phrase may run; phrases are far shorter

# --- Reading the context of a match (ConText-style trigger words) -------------------------------
# Windows are bounded, so each match costs the same whatever the length of the text.
_WINDOW = 160
_SENTENCE_ENDS = ".!?;\n"


def _words(words: str) -> frozenset[str]:
    """A set of words written as one space-separated string (easier to read and review)."""
    return frozenset(words.split())


# A single character class, repeated: linear on Python's `re`, and faster than RE2 on the short
# windows it reads (RE2 encodes each window to UTF-8 first).
_WORD = re.compile("[a-z0-9']+")

_NEGATORS = _words(
    "not never no nor don't dont didn't didnt doesn't doesnt isn't isnt wasn't wasnt weren't"
    " werent aren't arent haven't havent hasn't hasnt hadn't hadnt won't wont wouldn't wouldnt"
    " ain't none"
)
# "never been so suicidal", "can't stop thinking about suicide": the negation is of something else.
_PSEUDO_NEGATED = _words("so more this as stop only just sure")
_UNTIL_NOW = frozenset({"haven't", "havent", "hasn't", "hasnt", "hadn't", "hadnt"})
# Words that close a window: a new clause, or a verb whose own object the negation is about.
_CLOSE = _words(
    "but and or because cos coz so though although yet if whether when while why how what"
    " that which who until unless know knew sure care tell told say said realise realize"
    " understand remember notice admit matter whatever except mean"
)
_FIRST = _words("i i'm im i've ive i'd i'll me myself")
_THIRD = _words(
    "he she they he's she's they're they've he'd she'd they'd him them someone somebody"
    " people others anyone everyone friend friends sister sisters brother brothers mum mom"
    " mother dad father parent parents son sons daughter daughters partner husband wife"
    " boyfriend girlfriend fiance fiancé fiancee cousin aunt uncle grandma grandmother grandad"
    " grandfather granddad nan nana grandpa niece nephew client clients patient patients"
    " colleague coworker flatmate roommate housemate classmate child children kid kids"
    " teenager man woman girl boy guy member members student students neighbour neighbor ex"
    " wifey bestie bff"
)
_THIRD_IN_MATCH = _words(
    "him her them his their himself herself themselves themself he's she's they're he she"
    " they hes shes"
)
_FIRST_IN_MATCH = _words("i i'm im me my myself mine i've i'd")
_RECENT = _words(
    "now rn today tonight tonite tomorrow yesterday again still lately recently currently"
    " anymore keep keeps since"
)
_RECENT_PAIRS = frozenset(
    {
        ("any", "more"),
        ("these", "days"),
        ("this", "week"),
        ("this", "morning"),
        ("this", "evening"),
        ("this", "weekend"),
        ("this", "afternoon"),
        ("last", "night"),
        ("last", "week"),
        ("right", "now"),
        ("the", "moment"),
        ("the", "minute"),
        ("days", "ago"),
        ("day", "ago"),
        ("hours", "ago"),
        ("hour", "ago"),
        ("week", "ago"),
        ("weeks", "ago"),
        ("at", "present"),
    }
)
# Not "before", "once" or "then": "I want to die before I see her", "once I'm gone" are now.
_HISTORY = _words(
    "ago used during throughout school university uni college teen teens teenager teenage"
    " twenties thirties forties childhood younger history formerly previously"
)
_HISTORY_PAIRS = frozenset(
    {
        ("the", "time"),
        ("when", "i"),
        ("a", "child"),
        ("a", "kid"),
        ("a", "teen"),
        ("that", "year"),
        ("that", "winter"),
        ("that", "summer"),
        ("that", "spring"),
        ("that", "autumn"),
        ("last", "year"),
        ("years", "ago"),
        ("back", "then"),
        ("back", "in"),
        ("my", "teens"),
        ("my", "twenties"),
        ("the", "past"),
    }
)
_PRESENT = _words(
    "am i'm im is are do don't dont does doesn't feel feels want wants wanna can can't cant"
    " cannot need needs hope think keep keeps 've i've ive have wish would"
)
_PAST = _words(
    "was were had did didn't wasn't tried attempted felt wanted wished thought spent became"
    " went made told asked survived stopped quit couldn't could harmed injured used"
)
_HAVE = _words("have has i've ive 've we've")
# "I have attempted suicide" is history; "I've made a plan", "I've written a note" are now.
_HISTORY_VERBS = _words("tried attempted survived stopped quit")


def _tokens(text: str) -> list[str]:
    """Lower-case words of a short window (letters, digits and apostrophes), in order."""
    return _WORD.findall(text.lower())


def _clause_before(tokens: list[str]) -> list[str]:
    """The tokens after the last word that closes a window, nearest last."""
    for i in range(len(tokens) - 1, -1, -1):
        if tokens[i] in _CLOSE:
            return tokens[i + 1 :]
    return tokens


def _clause_after(tokens: list[str]) -> list[str]:
    for i, token in enumerate(tokens):
        if token in _CLOSE:
            return tokens[:i]
    return tokens


def _negated(before: list[str], after: list[str]) -> bool | None:
    """True if negated, None if "not since" (stopped: past), False otherwise."""
    scope = before[-6:]
    for i in range(len(scope) - 1, -1, -1):
        token = scope[i]
        if token in _NEGATORS:
            if any(t in _PSEUDO_NEGATED for t in scope[i + 1 :]):
                return False
            if token in _UNTIL_NOW and "since" in after:
                return None
            return True
        if token in _FIRST or token in _THIRD:
            return False
    return False


def _pairs(tokens: list[str]) -> set[tuple[str, str]]:
    return set(itertools.pairwise(tokens))


def _kind(normal: str, start: int, end: int) -> Kind:
    """Whose risk a match at normal[start:end] is about, and when, from the words around it."""
    low = max(0, start - _WINDOW)
    head = normal[low:start]
    cut = max(head.rfind(ch) for ch in _SENTENCE_ENDS)
    head = head[cut + 1 :]
    tail = normal[end : end + _WINDOW]
    stops = [i for i in (tail.find(ch) for ch in _SENTENCE_ENDS + ",") if i >= 0]
    tail = tail[: min(stops)] if stops else tail
    # Commas close the negation and subject windows ("I don't know why, but I want to die").
    near = _clause_before(_tokens(head.rsplit(",", 1)[-1]))
    before = _clause_before(_tokens(head))
    after = _clause_after(_tokens(tail))
    inside = _tokens(normal[start:end])

    negated = _negated(near, after)
    if negated:
        return Kind.NEGATED
    if negated is None:
        return Kind.PAST

    if not (_FIRST_IN_MATCH & set(inside)):
        if _THIRD_IN_MATCH & set(inside) or (after[:1] and after[0] in _THIRD_IN_MATCH):
            return Kind.THIRD_PERSON
        for token in reversed(near):
            if token in _FIRST:
                break
            if token in _THIRD:
                return Kind.THIRD_PERSON

    # "used to" right before the phrase is habit in the past, whatever follows ("still show").
    if before[-2:] == ["used", "to"]:
        return Kind.PAST
    window = before + inside + after
    seen, pairs = set(window), _pairs(window)
    if _RECENT & seen or _RECENT_PAIRS & pairs:
        return Kind.CURRENT
    years = any(len(t) == 4 and t.isdigit() and t[:2] in ("19", "20") for t in seen)
    if years or _HISTORY & seen or _HISTORY_PAIRS & pairs:
        return Kind.PAST
    # The nearest verb that carries a tense: the phrase's own first, then the words before it.
    words = [*before, *inside]
    first = len(before)
    for j in [*range(first, len(words)), *range(first - 1, -1, -1)]:
        token, ahead = words[j], words[max(0, j - 2) : j]
        if token in _PRESENT:
            return Kind.CURRENT
        if token in _PAST:
            # "if I was gone", "wish I were dead": a wish or a condition, not the past.
            if token in ("was", "were") and ahead[-1:] == ["i"] and ahead[:1] in (["if"], ["wish"]):
                return Kind.CURRENT
            # Present perfect runs up to now ("I've had enough", "I've made a plan"), except
            # for acts that are history once done ("I have attempted suicide").
            if ahead[-1:] and ahead[-1] in _HAVE and token not in _HISTORY_VERBS:
                return Kind.CURRENT
            return Kind.PAST
    return Kind.CURRENT


def mentions_crisis(text: str) -> list[CrisisMatch]:
    """Spans of crisis language in text with their kind, sorted by position, never overlapping."""
    normal = text.translate(_NORMAL)
    found: list[tuple[int, int, Category]] = []
    for low, high in _stretches(normal):
        found.extend(_phrases(normal, low, high))
    found.sort()
    matches: list[CrisisMatch] = []
    last_end = -1
    for start, negative_end, category in found:
        end = -negative_end
        if start < last_end:
            continue
        kind = _kind(normal, start, end)
        matches.append(CrisisMatch(category, start, end, text[start:end], kind))
        last_end = end
    return matches


def _stretches(normal: str) -> list[tuple[int, int]]:
    """Where any phrase may match: candidates from one combined pass, widened and merged."""
    stretches: list[list[int]] = []
    for m in _ANY.finditer(normal):
        low, high = m.start(), min(len(normal), m.end() + _REACH)
        if stretches and low <= stretches[-1][1]:
            stretches[-1][1] = max(stretches[-1][1], high)
        else:
            stretches.append([low, high])
    # End each stretch just past a space and the next character, so that neither a word cut
    # in two nor the cut itself (for "$") can look like the real end of something.
    for stretch in stretches:
        end = normal.find(" ", stretch[1], stretch[1] + 64)
        limit = end + 64
        while 0 <= end < min(limit, len(normal)) and normal[end].isspace():
            end += 1
        stretch[1] = len(normal) if end < 0 or end >= len(normal) else end + 1
    return [(low, high) for low, high in stretches]


def _phrases(normal: str, low: int, high: int) -> list[tuple[int, int, Category]]:
    """Every phrase's matches in normal[low:high], as (start, -end, category)."""
    piece = normal[low:high]
    found = []
    for category, pattern, unless_next, unless_before in _COMPILED:
        for m in pattern.finditer(piece):
            start, end = low + m.start(), low + m.end()
            if unless_next is not None and unless_next.search(normal[end : end + 40]):
                continue
            if unless_before is not None and unless_before.search(
                normal[max(0, start - 12) : start]
            ):
                continue
            found.append((start, -end, category))
    return found


def most_urgent(matches: list[CrisisMatch]) -> Kind | None:
    """The most urgent kind among matches (CURRENT before THIRD_PERSON, PAST, NEGATED)."""
    return min((m.kind for m in matches), key=PRIORITY.__getitem__, default=None)


def has_crisis_language(text: str) -> bool:
    """Whether text has crisis language of any kind: the teller sees calm help for every kind."""
    return bool(mentions_crisis(text))


def at_risk_now(text: str) -> bool:
    """Whether text says its writer may be at risk now: what puts an item first for moderators."""
    return any(m.kind is Kind.CURRENT for m in mentions_crisis(text))


__all__ = [
    "KIND_LABELS",
    "PRIORITY",
    "Category",
    "CrisisMatch",
    "Kind",
    "at_risk_now",
    "has_crisis_language",
    "mentions_crisis",
    "most_urgent",
]
