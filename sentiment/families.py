"""The complaint families: the language of complaints, in groups a person can read.

Each :class:`Family` has a name (shown in the cues), what it means, and its patterns (lower
case, matched at word boundaries through :mod:`sentiment.patterns`). Their weights and how
they combine are in :mod:`sentiment.complaint`.
"""

from dataclasses import dataclass

# Small building blocks shared by several families.
_NOT = (
    r"(?:not|never|no longer|can'?t|cannot|can not|couldn'?t|won'?t|wouldn'?t|doesn'?t|"
    r"does not|didn'?t|did not|don'?t|do not|isn'?t|is not|aren'?t|are not|wasn'?t|"
    r"hasn'?t|has not|haven'?t|have not|unable to|not able to|fail(?:s|ed)? to|refus(?:es|ed) to)"
)
_NUM = (
    r"(?:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|"
    r"twenty|thirty|forty|fifty|sixty|ninety|several|many|a few|few|a couple of)"
)
_SPAN = r"(?:min(?:ute)?s?|hours?|hrs?|days?|weeks?|wks?|months?)"
_WORKS = (
    r"(?:work|working|works|load|loading|connect|connecting|open|opening|print|printing|"
    r"sync|syncing|charge|charging|turn on|start|log ?in|logging in|sign ?in|access|"
    r"download|install|update|play|stream|send|receive|get through|reach|find|use|see|"
    r"pay|order|book|fix|help|respond|reply|arrive|deliver|refund|view|call|hear|watch|"
    r"check ?in|top ?up|stream|verify|reset|cancel|redeem|claim)"
)


_THINGS = (
    r"(?:account|order|bill|invoice|payment|card|subscription|package|parcel|delivery|shipment|"
    r"flight|booking|reservation|luggage|car|phone|device|laptop|printer|tv|router|modem|"
    r"internet|broadband|connection|app|website|site|service|plan|contract|policy|claim|ticket|"
    r"case|refund|money|meal|food|product|item|purchase|warranty|replacement|repair|"
    r"appointment|technician|engineer|driver|agent|manager|store|shop|branch|restaurant|room|"
    r"seat|battery|screen|update|software|email|password|login|network|signal|data|line|"
    r"charger|headphones|speaker|controller|console|game|box|bag|bottle|drink|coffee|pizza)s?"
)


@dataclass(frozen=True, slots=True)
class Family:
    """One kind of complaint evidence: a readable name, what it means, and its patterns."""

    name: str
    meaning: str
    patterns: tuple[str, ...]


def _family(name: str, meaning: str, *alternatives: str) -> Family:
    return Family(name, meaning, alternatives)


#: Evidence for a complaint (positive weights) and against one (negative weights).
FAMILIES: tuple[Family, ...] = (
    _family(
        "waiting",
        "waiting, on hold, how long it takes",
        r"(?:still|been|am|are|keep|kept|left) (?:\w+ )?waiting",
        r"wait(?:ed|ing)? (?:for|on|since|over|more than)",
        r"awaiting",
        r"on hold",
        r"how (?:much )?longer",
        r"how long (?:do|does|will|should|must|is|are|until|till|before)",
        r"#?(?:still|im)waiting",
        r"queu\w*",
    ),
    _family(
        "time passing",
        "a problem measured in hours, days or weeks",
        rf"(?:{_NUM}|\d+\.\d+)\+? {_SPAN} (?:now|later|ago|since|and (?:still|counting|nothing))",
        rf"took (?:over |more than |nearly |almost )?(?:{_NUM} (?:hours?|hrs?|days?|weeks?|"
        r"wks?|months?)|(?:twenty|thirty|forty|fifty|sixty|ninety|\d\d+) min(?:ute)?s?)",
        rf"{_NUM} ?{_SPAN} (?:to (?:get|take|answer|reply|respond|fix|make|serve|deliver)|"
        r"(?:late|after|past) (?:the )?(?:estimated|promised|scheduled|expected))",
        r"since (?:yesterday|last|this morning|monday|tuesday|wednesday|thursday|friday|"
        r"saturday|sunday|january|february|march|april|may|june|july|august|september|"
        r"october|november|december|\d)",
        r"24\s?(?:/|-)?\s?7|24\+? ?h(?:ou)?rs",
    ),
    _family(
        "duration",
        "a length of time: for three days, all week (alone, not a complaint)",
        rf"(?:for|over|after|about|almost|nearly|past|last) (?:the )?(?:past |last )?"
        rf"{_NUM}\+? {_SPAN}",
        r"all (?:day|night|week|morning)",
        r"(?:till|until|up to|up till) (?:now|today)",
    ),
    _family(
        "delay",
        "late, delayed, slow",
        r"delay(?:ed|s)?",
        r"late(?:st)? (?:again|delivery|order|parcel|package|train|flight|bus)",
        r"(?:is|was|are|were|running|arrived|arriving|so|very|always) late",
        r"overdue",
        r"(?:so|very|really|too|painfully|extremely|super) slow",
        r"slow(?:est)? (?:service|delivery|response|internet|speeds?|connection)",
        r"missed (?:my |our |the )?(?:flight|connection|train|appointment|delivery)",
        r"stuck (?:on|at|in)",
        r"(?:re)?scheduled? (?:again|twice)",
    ),
    _family(
        "not arrived",
        "things not arriving, not received, lost",
        rf"{_NOT} (?:yet |even )?(?:arrive[ds]?|received?|turned up|shown up|showed up|"
        r"come|came|got(?:ten)?|get|been (?:delivered|shipped|dispatched|received|credited|"
        r"refunded|processed|sent)|delivered|shipped|dispatched)",
        r"where(?:'s| is| are) (?:my|our|the) (?:order|parcel|package|delivery|refund|money|"
        r"bag|luggage|item|stuff|food|box|driver|engineer|technician)",
        r"(?:lost|missing|misplaced) (?:my |our |the )?(?:order|parcel|package|delivery|"
        r"luggage|bags?|items?|box|mail|payment)",
        r"(?:order|parcel|package|delivery|luggage|bag|item)s? (?:is |was |are |were |got |"
        r"has been |have been )?(?:lost|missing|stolen|never)",
        r"never (?:arrived|received|came|showed|turned up|got)",
        r"disappeared|vanished|(?:went|gone|came|come) missing",
        r"(?:was|were|been|got|have been|has been) (?:removed|deleted|wiped|lost)",
        r"no sign of",
        r"yet to (?:arrive|receive|get|hear)",
    ),
    _family(
        "no reply",
        "nobody answers, no response, ignored",
        r"no (?:reply|replies|response|responses|answer|answers|call ?backs?|calls?|emails?|"
        r"feedback|update|"
        r"word|news|contact|follow[- ]?up|help|one (?:has )?(?:answer|repl|respond|call|help|"
        r"gets?|got|came|showed))",
        r"(?:nobody|no-one|noone) (?:has |have |will |ever |is )?(?:answer|repl|respond|call|"
        r"help|contact|get|got|come|came|show|care|listen|pick)",
        rf"{_NOT} (?:yet |even )?(?:heard|had|got|gotten|received|been given) (?:back|any|a |an )",
        rf"{_NOT} (?:getting|receiving|had) (?:any |a )?(?:response|reply|answer|help|call)",
        r"ignor(?:e|ed|es|ing)",
        r"unanswered",
        r"hung up",
        r"(?:keep|kept) (?:getting |being )?(?:transferred|passed|bounced|sent) (?:around|to)",
        r"auto-?(?:reply|response|mated)",
        r"ghost(?:ed|ing)",
    ),
    _family(
        "charged",
        "charged, billed, fees, money taken",
        r"(?:over|double|twice |wrongly |still )?(?:charg|bill)(?:ed|ing) "
        r"(?:me|us|twice|again|for|after|even|without|£|\$|€|\d)",
        r"overcharg\w*",
        r"double[- ]charg\w*",
        r"(?:took|taken|take|stole|stolen|taking) (?:my|our) money",
        r"(?:hidden|extra|late|cancellation|surprise|ridiculous) (?:fees?|charges?)",
        r"(?:paid|pay|paying) for (?:something|a service|nothing|it|this|that)",
        r"(?:charge|debit|payment)s? (?:i|we) (?:didn'?t|did not|never) (?:make|authori[sz]e)",
    ),
    _family(
        "refund",
        "asking for money back",
        r"refund\w*",
        r"money back",
        r"charge ?backs?",
        r"reimburs\w*",
        rf"{_NOT} (?:been )?(?:refunded|credited|reimbursed|compensated)",
        r"compensation",
    ),
    _family(
        "broken",
        "broken, faulty, not working, errors, outages",
        rf"{_NOT} (?:even |seem to |seems to |properly |currently )?{_WORKS}"
        r"(?! (?:but|it|myself|ourselves|laughing|smiling|thinking|wondering|a better|a more))",
        r"(?:stopped|stops|quit) (?:working|charging|loading|responding|syncing|printing)",
        r"(?:keeps?|kept) (?:on )?(?:crashing|freezing|dropping|disconnecting|failing|"
        r"restarting|rebooting|logging (?:me|us) out|cutting out|breaking|happening|saying)",
        r"broken|broke (?:down|after|again|in)",
        r"(?:power|internet|wi-?fi|network|signal|service|site|website|app|server|system|"
        r"line|connection|tv|phone|heating|electricity|broadband|cable|reception|water|gas|"
        r"data|4g|5g)s? (?:has |have )?(?:is |are |was |"
        r"went |gone |keeps? going |been )?(?:down|out|off|dead|offline)",
        r"(?:can|could) (?:barely|hardly|not even) (?:hear|see|use|read|connect|get)",
        r"(?:powering|switching|shutting|turning) (?:off|down) (?:on (?:its|it's) own|by itself|"
        r"randomly)",
        rf"{_NOT} (?:be )?(?:full|sorted|listed|possible|available|showing|responding|fixed|"
        r"resolved|right|correct|compatible|functional|usable)",
        r"unreliable|unusable|worse than|(?:is|are) gone",
        r"no longer \w+",
        r"nothing (?:works|happens|happened|changed|has changed|loads)",
        r"(?:was|were) working (?:fine |perfectly |ok )?(?:before|until|last|yesterday|earlier)",
        r"(?:don'?t|do not|doesn'?t|does not) have (?:any )?(?:power|internet|signal|service|"
        r"electricity|water|heating|network|coverage|access)",
        r"(?:faulty|defective|damaged|cracked|smashed|torn|ripped|leak(?:ing|s)|mouldy|moldy|"
        r"expired|stale|spoil(?:ed|t)|rotten|undercooked|overcooked|soggy|inedible|burnt)",
        r"(?:cold|raw|burnt|greasy|tasteless|bland|watery|tiny|half[- ]empty) (?:\w+ )?"
        r"(?:food|fries|chips|burger|pizza|meal|chicken|pie|coffee|drink|tea|soup|steak|eggs?)",
        r"dead (?:on arrival|battery|pixels?|phone|line|zone)|(?:battery|phone|screen|line) "
        r"(?:is |was |went |has gone )?dead",
        r"error(?:s| code| message)?",
        r"crash(?:es|ed|ing)|(?:app|game|system|site|it|keeps) crash",
        r"freez(?:es|ing)|frozen screen",
        r"glitch(?:es|y|ing)?|bug(?:s|gy)\b",
        r"(?:is|are|was|were|been|goes|went|keeps? going) (?:down|offline)",
        r"outages?",
        r"no (?:signal|service|internet|connection|power|network|wi-?fi|data|coverage|"
        r"sound|picture|hot water|heating)",
        r"(?:battery|batteries) (?:drain|dies|died|dying)",
        r"(?:fell|falling|came) apart",
        r"malfunction\w*",
        r"(?:was|were|is|are|arrived|came) (?:\w+ )?(?:cold|raw|burnt|stale|soggy|undercooked|"
        r"half empty|half full|empty|flat|dry|melted|leaking|broken)",
        r"(?:piece|pieces|bits?) of (?:glass|plastic|metal|hair)",
        r"(?:hair|bug|fly|glass|plastic) in my",
        r"(?:wrong|incorrect) (?:item|order|size|colou?r|product|bill|amount|charge|address|"
        r"information|info)",
    ),
    _family(
        "cancel or leave",
        "cancelling, leaving, never again",
        r"cancel(?:l?ed|l?ing|lation)?",
        r"unsubscrib\w*",
        r"clos(?:e|ing) (?:my|our) account",
        r"(?:switch|switching|moving|going|changing) (?:over )?to (?:another|a different|a new)",
        r"(?:take|taking) (?:my|our) (?:business|custom|money) elsewhere",
        r"never (?:again|(?:be )?(?:using|buying|ordering|flying|shopping|booking|coming|"
        r"going|eating|staying|recommend\w*))",
        r"(?:lost|losing) (?:a|another|one|your) (?:loyal )?customer",
        r"last time (?:i|we)",
        r"(?:will|won'?t|would|wouldn'?t) (?:not )?(?:be )?(?:going back|come back|coming back|"
        r"return(?:ing)?|order(?:ing)? again|buy(?:ing)? again|use (?:you|them|it) again)",
    ),
    _family(
        "negated expectation",
        "not what was ordered, promised or expected",
        r"not what (?:i|we) (?:ordered|expected|paid for|asked for|wanted)",
        r"not as (?:described|advertised|expected|pictured|promised|shown)",
        r"(?:was|were|is|are) (?:supposed|meant) to",
        r"(?:was|were|been) (?:told|promised|assured|guaranteed)",
        r"should(?:n'?t| not)? have (?:been|arrived|received|got|come|had)",
        r"(?:you|they) (?:promised|said|told me|told us|assured)",
        r"expected (?:better|more)",
        r"instead of",
        r"(?:would|will)(?:n'?t| not) (?:go back|come back|recommend|buy|order|return|use)",
        r"(?:do(?:n'?t| not)|not to|never) (?:buy|order|use|bother|waste|recommend|go|trust)",
        r"(?:could(?:n'?t| not)|can'?t) (?:be|get) (?:any )?(?:more|less) (?:useless|worse|"
        r"unhelpful|disappoint\w*|frustrat\w*|annoy\w*)",
        r"(?:avoid|stay away)",
        r"refus(?:e|es|ed|ing) to",
        r"(?:won'?t|wouldn'?t|will not|would not|doesn'?t|didn'?t) (?:let|allow) (?:me|us)",
        r"waste of (?:time|money)",
        r"(?:how|why) (?:is|was) (?:this|that|it) (?:acceptable|allowed|ok|okay|possible|legal)",
        r"(?:unacceptable|ridiculous|disgrace\w*|shameful|appalling|pathetic|a joke)",
    ),
    _family(
        "repeated",
        "again, still, every time, third time",
        r"still",
        r"again",
        r"every (?:single )?time",
        r"(?:second|third|fourth|fifth|2nd|3rd|4th|5th|\d+th) time",
        r"(?:twice|three times|\d+ times|multiple times|several times|many times|countless)",
        r"repeatedly|constantly|over and over|yet another",
        r"keeps? (?:on )?(?:\w+ing)",
    ),
    _family(
        "problem question",
        "an unanswered question about a problem: why…?, what is going on?",
        r"why (?:is|are|do|does|did|can'?t|cannot|won'?t|isn'?t|aren'?t|hasn'?t|haven'?t|"
        r"would|has|have|am|was|were|should|must|the hell|on earth|tf)",
        r"what(?:'s| is) (?:going on|happening|wrong|up with)",
        r"how (?:does|did|could|can|do) (?:this|that|it|you) (?:happen|be allowed|get away)",
        r"what (?:happened|is happening) (?:to|with)",
        r"when (?:will|can|is|are|do|does) (?:i|we|my|our|this|it|you|the)",
        r"when will .{0,40}(?:be|get) (?:working|fixed|back|restored|resolved|sorted|done)",
        r"is (?:\w+ )?(?:down|out|broken|offline|not working)\b",
        r"how (?:many (?:more )?(?:times|days|hours|weeks)|hard is it|difficult is it|come)",
        r"is (?:there|this|it) (?:a |an )?(?:known |an )?(?:issue|problem|outage|fault)",
        r"any (?:updates?|news|eta|word|progress|fix(?:es)?|solutions?)",
        r"why\s?\?+",
        r"when will .{0,40}(?:update|fix|release|arrive|come back|be back|be available|be fixed)",
        r"(?:there is|there's|is there) (?:really |still )?no (?:way|link|option|button|setting|"
        r"support|one|help)",
        r"(?:anyone|anybody) else (?:having|getting|experiencing|seeing|had|got)",
        r"any reason (?:why|for|my|the)",
        r"is (?:this|that|it) (?:normal|right|correct|acceptable|a joke)",
        r"eta (?:on|for)",
        r"is this (?:really|seriously|actually)",
        r"where(?:'s| is| are) (?:my|our|the) \w+",
    ),
    _family(
        "problem words",
        "issue, problem, complaint, fix, help",
        r"issues?",
        r"problems?",
        r"trouble",
        r"complain(?:ed|ing)",
        r"(?:a|my|our|formal|another|official|file|filed|make|made|raise|raised) complaints?",
        r"fix (?:this|it|the|my|our|your)",
        r"(?:please|pls|plz|kindly|can you|could you|need(?:s)?) (?:\w+ )?(?:help|fix|sort|"
        r"resolve|respond|reply|advise|look into|check|assist|explain|get back)",
        r"sort (?:it|this|that) out",
        r"bring(?:ing)? (?:it |them |\w+ )?back",
        r"worst (?:\w+ ){0,2}ever",
        r"(?:needs|need) to be (?:fixed|sorted|resolved|easier|better|changed|addressed)",
        r"(?:please|pls|plz) (?:fix|add|release|bring back|stop|sort|refund|replace|reply)",
        r"(?:fed up|sick of|sick and tired|had enough|enough is enough|furious|livid|fuming)",
        r"(?:worst|terrible|horrible|awful|poor|shocking|appalling|rubbish|useless|lousy|crap|"
        r"crappy|shoddy|incompetent) (?:customer |cust )?(?:service|support|care|experience|"
        r"company|quality|app|product|website|airline|network)",
    ),
    _family(
        "exasperation",
        "are you kidding me?, seriously?, #fail",
        r"(?:are|r) (?:you|u) (?:kidding|serious|joking)",
        r"(?:seriously|really)\s?[?!]",
        r"wtf|what the (?:hell|heck|fuck|f)\b",
        r"come on\b",
        r"get (?:your|their|ur) (?:shit|act|stuff) together",
        r"smh|ffs|ugh+\b",
        r"#\w*(?:fail|fixit|worst|never|disappoint|angry|fraud|scam|broken|delay|sucks|"
        r"joke|shame|rip ?off|notimpressed|unhappy|nothappy)\w*",
        r"(?:epic )?fail(?:s|ed|ure)?",
    ),
    _family(
        "negation",
        "something not done or not possible: can't, won't, didn't, never",
        r"(?!not sure|not only|not just|not alone|not bad|couldn'?t agree|can'?t wait|"
        r"never mind|can'?t believe how (?:good|great))"
        r"(?:can'?t|cannot|couldn'?t|won'?t|wouldn'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|"
        r"weren'?t|hasn'?t|haven'?t|hadn'?t|unable|never|nothing|nobody|no one|not)\b",
    ),
    _family(
        "personal",
        "the writer's own experience or words to the company: I, my, we, you, your",
        r"(?:i|i'm|i've|i'd|im|me|my|we|we're|we've|us|our|you|your|you're|u|ur|y'all)",
    ),
    _family(
        "product or service",
        "their own order, account, bill, delivery, device, app or service",
        rf"(?:my|our|your|ur) (?:\w+ )?{_THINGS}",
        r"(?:order|ticket|case|reference|ref|account|tracking|confirmation) (?:no\.?|number|#|id)",
        r"#\s?\d{4,}",
        r"customer (?:service|support|care)",
    ),
    _family(
        "mentions a product",
        "names an order, delivery, device, app or service",
        rf"(?:the|this|that|an?) (?:\w+ )?{_THINGS}",
    ),
    _family(
        "thanks or praise",
        "thanks, praise, a problem already put right (counts against a complaint)",
        r"thank(?:s| you| u)",
        r"(?:much )?appreciated?",
        r"kudos|shout ?out|props to|well done|great job|good job|nice work|you rock",
        r"(?:love|loved|loving|enjoy|enjoyed|adore) (?:it|this|that|the|my|your|you|our|how)",
        r"(?:great|excellent|amazing|awesome|fantastic|brilliant|perfect|wonderful|lovely|"
        r"quick|speedy|fast|friendly|helpful) (?:service|support|help|job|work|experience|"
        r"response|team|staff|product|food|coffee)",
        r"(?:can'?t|cannot) wait",
        r"(?:no|can'?t|cannot) complain\w*|nothing to complain about",
        r"(?:couldn'?t|could not|can'?t) (?:be|have been) (?:happier|more pleased|better)",
        r"works (?:great|perfectly|like a charm|well|fine|as advertised)",
        r"worth (?:every penny|it|the money|the price|the wait)",
        r"(?:sorted|resolved|fixed|replaced|refunded|solved|sent) (?:it|this|that|the \w+|my \w+|"
        r"a new one|another one|me)(?: \w+){0,4} (?:the same day|same day|quickly|promptly|"
        r"straight away|right away|immediately|in no time|overnight|within (?:an?|\d+) \w+)",
        r"(?:outage|problem|issue|fault|disruption|service|internet|power|app|site|website|"
        r"wi-?fi|connection)s? (?:is|are|was|were|has been|have been) (?:now )?(?:back up|"
        r"back online|fixed|resolved|restored|sorted|over)",
        r"(?:within|in) (?:an?|\d+) (?:hour|day|minute)s? (?:a new one|a replacement|it was "
        r"(?:sorted|fixed|resolved|replaced))",
        r"(?:lol|lmao|ha(?:ha)+|he(?:he)+)",
        r"(?:congrat\w*|good luck|happy (?:birthday|holidays)|merry christmas)",
    ),
    _family(
        "how-to question",
        "a question asking for information, not reporting a problem (counts against)",
        r"how (?:do|can|could|would|should) (?:i|we|you|one)",
        r"(?:is|are) (?:there|it|you|they) (?:possible|able|planning|going to|any way|a way)",
        r"(?:can|could|may) (?:i|we) (?:get|use|buy|have|order|change|add|ask|know|find)",
        r"do (?:you|u|y'?all) (?:have|sell|know|offer|ship|deliver|accept|plan|make|do|carry)",
        r"does (?:it|this|that|the)",
        r"where (?:can|do|could|would) (?:i|we|you)",
        r"(?:any|what are the) (?:plans|chance)",
        r"will (?:there|you|it) (?:be|have|ever)",
        r"(?:wondering|curious) (?:if|whether|about|what|when|how)",
    ),
    _family(
        "sarcasm",
        "thanks for nothing, love it when…, great service!!!",
        r"thank(?:s| you| u)? (?:(?:so|very) much |a lot )?for (?:nothing|"
        r"(?:the |your )?(?:no|zero|non-?existent)|"
        r"ignoring|making|ruining|wasting|letting|leaving|losing|breaking|charging|cancell?ing)",
        r"(?:love|loving|great|nice|fantastic|brilliant|wonderful) (?:it )?(?:when|how) "
        r"(?:you|your|they|their|my|the|i|we|\w+)",
        r"(?:great|fantastic|brilliant|wonderful|excellent|amazing) (?:service|job|work)"
        r"(?: \w+)?[.!]{2,}",
        r"way to go",
        r"(?:yeah|oh) (?:right|sure|great)",
        r"not impressed",
        r"said no one ever",
    ),
)
