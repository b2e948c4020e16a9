"""Review phrases whose meaning VADER's word-by-word scoring gets wrong or misses.

Each group has a name (shown in the cues), the valence the whole phrase carries on VADER's
-4..4 scale (it replaces the valences of the words it covers) and its patterns, written in
lower case. Where two phrases overlap, the one that starts first (or the longer) wins, so
"would not go back" is advice against and "would go back" is praise.

People complain in reviews without strong negative words — "we waited forty minutes for a
table", "the portions were tiny", "cheap plastic", "my old one was better", "I left halfway
through", "it's okay I guess" — and praise with words that look like complaints — "we didn't
have to wait", "never had a problem", "I can't stop thinking about that pasta". The groups
name those ways of speaking. A phrase of praise (or a neutral term such as "noise
cancelling") also hides the complaint cues inside it: "never" in "never let me down" is not a
complaint's "never".
"""

# A wait that is long for a table, a meal, a parcel or a charge.
_LONG = (
    r"(?:over |more than |nearly |almost |about |around |at least |a good |another |well over )?"
    r"(?:an hour(?: and a half)?|half an hour|hours|ages|forever|an eternity|"
    r"(?:two|three|four|five|six|\d+) (?:hours|hrs)|"
    r"(?:twenty|thirty|forty|fifty|sixty|ninety|[1-9]\d)(?:[- ](?:five|\w+))? (?:minutes|mins)|"
    r"(?:three|four|five|six|seven|ten|\d\d?) days|a week|a month|(?:two|three|four|\d+) "
    r"(?:weeks|months))"
)
# The same, from its first word on, for phrases that begin with it (cheaper to look up).
_LONG_CORE = (
    r"(?:hours|hour(?: and a half)?|(?:two|three|four|five|six|\d+) (?:hours|hrs)|"
    r"(?:twenty|thirty|forty|fifty|sixty|ninety|[1-9]\d)(?:[- ](?:five|\w+))? (?:minutes|mins))"
)
_NOT = r"(?:won'?t|wouldn'?t|doesn'?t|does not|didn'?t|did not|will not|would not|can'?t|cannot)"
_MISSING = (
    r"(?:flavou?r|taste|seasoning|spice|heat|kick|plot|story|tension|suspense|chemistry|"
    r"charisma|personality|atmosphere|depth|substance|soul|energy|humou?r|laughs|bass|volume|"
    r"punch|imagination|originality|ideas|logic|sense|point)"
)

#: ``(name, valence, patterns)``; the valence replaces the words the phrase covers.
REVIEW_PHRASES: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    (
        "advice against",
        -2.2,
        (
            r"save your (?:money|time|breath)",
            r"stay away",
            r"(?:do not|don'?t|never) (?:buy|order|go|bother|waste|eat|stay|book|use)",
            r"avoid (?:this|it|them|at all costs|like the plague)",
            r"(?:(?:would|will) (?:not|never)|wouldn'?t|won'?t) (?:ever )?(?:go back|come back|"
            r"return|recommend|buy (?:it |this |from them )?again|order (?:from them )?again|"
            r"be back)",
            r"won'?t be (?:back|returning|coming back|ordering again)",
            r"never (?:again|going back|coming back|ordering again|buying again)",
            r"waste of (?:money|time|space|effort)",
            r"(?:go|look|shop|eat|stay|take (?:your|my|our) (?:money|business)) elsewhere",
            r"(?:buy|buying|get|getting|spend|spending|spent) (?:more |a bit more |extra )?"
            r"(?:on )?(?:a better one|something better|a different (?:brand|one|model))",
            r"(?:wastes?|wasted|wasting|waste of) (?:a |an |the |its |their |his |her )?(?:\w+ )?"
            r"(?:cast|talent|premise|opportunity|actors?|actress|story|potential)",
        ),
    ),
    (
        "letdown",
        -1.4,
        (
            r"(?:is|was|feels|felt|falls|fell|fall) (?:completely |totally |rather |a bit )?flat",
            r"(?:falls|fell|fall|comes|came) (?:well |way )?short",
            r"(?:goes|went|going) nowhere",
            r"never (?:quite|really) (?:works|worked|gets|got|comes|came|finds|found|lives|lived)",
            r"not (?:quite )?(?:worth|good enough|up to (?:par|scratch|standard))",
            r"(?:isn'?t|wasn'?t|aren'?t|weren'?t) (?:really |even )?worth",
            r"nothing (?:special|new|memorable|redeeming|to write home about)",
            r"(?:nothing|none of it) (?:about (?:it|this|the \w+) |here |in it )?(?:felt|feels|was|"
            r"is|seemed|seems) (?:\w+ )?(?:original|new|fresh|special|memorable|interesting|funny|"
            r"surprising|exciting|believable|convincing|scary|real)",
            r"(?:gave|gives|give|giving) away (?:the|every|all the) (?:\w+ )?(?:scenes?|plot|twist|"
            r"ending|jokes?)",
            r"(?:hard|difficult|impossible|tough) to (?:care|like|love|enjoy|watch|follow|believe|"
            r"sit through|finish|understand|hear|read|use|take seriously|stay awake|root for)",
            r"(?:not even|nothing|no one|nobody) (?:\w+ ){0,3}(?:could|can|would|will) save",
            r"(?:barely|hardly|doesn'?t|does not|didn'?t|did not) (?:do|does|did) (?:anything|much|"
            r"a thing)",
            r"(?:i|we) wish (?:i|we)(?:'d| had| hadn'?t| had not| would have| never| didn'?t)",
            r"long (?:two |three |four )?(?:hours|watch|slog|haul)",
            r"little more than",
            r"at best",
            r"too (?:long|slow|expensive|pricey|salty|sweet|greasy|small|loud|noisy|crowded)",
            r"(?:could|should|might) have been (?:better|much better|so much better|more)",
            r"would have (?:worked|been) (?:much |so much |a lot )?better",
            r"tries too hard",
            r"expected (?:much |a lot |so much |far |way |something )?(?:better|more)",
            r"not what (?:i|we) (?:ordered|expected|paid for|asked for)",
            r"not as (?:described|advertised|pictured|good as|expected)",
            r"(?:is|was|are|were|looks?|looked|tastes?|tasted|sounds?|sounded|feels?|felt) "
            r"nothing like",
            r"(?:did not|didn'?t|does not|doesn'?t|never) live up to",
            r"only (?:good |decent )?thing (?:that was|that's|worth|i liked|we liked|"
            r"going for it)(?: \w+)?",
            r"missed opportunity",
            r"could (?:be|use) (?:a lot |much |a bit |some )?(?:better|improvement|work)",
            r"needs? (?:a lot of |some |serious |more )?(?:work|improvement|improving)",
            r"(?:one|1|two|2|zero|0|half a)[- ]stars?",
            r"(?:1|2|3|one|two|three) out of (?:10|ten|5|five)",
            r"(?:want|wanted|asked for|demand|demanded) (?:my|our) money back",
            r"(?:smaller|thinner|flimsier|weaker|quieter|dimmer|shorter|slower) than (?:expected|"
            r"advertised|described|pictured|i (?:expected|thought|hoped))",
            r"all over the place",
            r"plot holes?",
            r"paper[- ]thin",
            r"ran out of (?:ideas|steam|gas|things to say)",
            r"(?:regret|regretted|regretting) (?:buying|ordering|not|getting|choosing|spending|"
            r"paying|going|booking|watching)",
            r"(?:coming|obvious|predictable|spot(?:ted)?|see it|saw it) (?:from )?a mile "
            r"(?:off|away)",
            r"saw it coming",
            r"cash[- ]grab",
            r"(?:drowning|drowned|swimming) in (?:sauce|oil|grease|butter|dressing|salt|sugar|"
            r"cream|gravy)",
        ),
    ),
    (
        "it failed",
        -1.6,
        (
            r"(?:stopped|stops|quit) (?:working|charging|responding|turning on|connecting|pairing|"
            r"holding (?:a|its) charge)",
            rf"{_NOT} (?:even )?(?:work(?:ed)?|turn on|switch on|power on|charge|pair|connect|fit|"
            r"close|stay (?:in|on|put|closed|connected|charged)|hold a charge)",
            r"never (?:even )?work(?:ed)?",
            r"(?:returned|sent) (?:it|them|the \w+) back",
            r"had to (?:return|send) (?:it|them)",
            r"returned (?:it|them|this|the (?:item|product|order))(?! favou?r)",
            r"returning (?:it|them|this|these)",
            r"fell apart",
            r"dead on arrival",
            r"(?:arrived|came|showed up|turned up) (?:dead|broken|damaged|cracked|scratched|"
            r"crushed|opened|used|leaking|smashed|dented|torn|incomplete)",
            r"(?:keeps?|kept|constantly|always) (?:disconnecting|dropping|crashing|freezing|"
            r"cutting out|falling (?:out|off)|restarting|rebooting|losing (?:connection|signal|"
            r"charge)|buffering|lagging|overheating|dying|beeping)",
            r"(?:drops?|dropped|dropping) (?:my |the |all )?(?:calls?|connection|signal|wi-?fi)",
            r"(?:cuts?|cutting) out(?! (?:the |all |most |any )?(?:background |outside |"
            r"ambient )?(?:noise|sound|wind|chatter|middleman|distractions?))",
            r"(?:battery|it|phone|charge) (?:dies|died|drains|drained|runs out|ran out) "
            r"(?:by|after|in|within|before|quickly|fast|overnight)",
            r"only (?:works|charges|fits|connects|pairs|turns on)",
            r"(?:only|barely|hardly|just about) (?:lasts?|lasted|lasting|holds|held)",
            r"(?:runs|gets|got|getting|becomes|became|running) (?:really |very |so |too |quite |"
            r"extremely |super |uncomfortably )?(?:hot|warm)",
            r"(?:keys?|buttons?|zip|zipper|lid|door|drawer|trigger|wheel|hinge) (?:sticks?|stuck|"
            r"jams?|jammed|sticking|squeaks?|creaks?)",
            r"(?:falls?|fell|slides?|slid) (?:out|off)",
            r"(?:keeps?|kept) (?:coming|falling) (?:undone|loose|apart|off|out)",
            r"(?:shuts?|shutting|turns?|turning|switches|switching|switched|turned) (?:itself )?"
            r"(?:off|down) (?:at random|randomly|by itself|on its own|for no reason)",
            r"only one (?:\w+ )?(?:works|charges|connects|plays)",
            r"drains? (?:the |my |its )?(?:battery|charge|power)",
            r"(?:screen|display|it|phone|tv|laptop) (?:went|goes|going|turned|turns) "
            r"(?:black|blank|dead|dark)",
            r"(?:had|have|having) to (?:reset|restart|reboot|replace|re-pair|repair|reinstall) "
            r"(?:it|them|this|the \w+)",
            r"(?:slips?|slipped|slipping) (?:off|out|down)",
            r"(?:before|until) (?:dying|breaking|failing|giving up|packing up|falling apart)",
            r"(?:gone|went|been) through (?:two|three|four|five|several|\d+) (?:of (?:these|them)|"
            r"pairs|sets|\w+s) (?:in|within)",
        ),
    ),
    (
        "waiting time",
        -1.6,
        (
            rf"(?:waited|wait|waiting|sat|sitting|stood|standing|queued|queuing|queueing|took|"
            rf"takes|taking|take) (?:us |me |them |him |her |it )?(?:for )?{_LONG}",
            rf"{_LONG_CORE} (?:for (?:a|an|our|my|the|one|two) \w+|to get (?:a|an|our|my|the|"
            r"served|seated)|just to (?:get|pay|order|be seated|see))",
            r"(?:minutes|mins|hour|hours) (?:after|later than|behind) (?:mine|ours|us|everyone|"
            r"the others|the rest|our \w+|my \w+)",
            r"(?:takes?|took|taking) (?:so |too |really |very |way too |far too )?long",
            r"(?:had|have|having) to wait",
            r"(?:days?|weeks?|hours?|minutes|mins) late",
        ),
    ),
    (
        "too little",
        -1.4,
        (
            r"(?:tiny|small|skimpy|stingy|meagre|meager|miserly|minuscule|measly|puny) "
            r"(?:portions?|servings?|amounts?|helpings?|plates?|pieces?|slices?|bowls?)",
            r"(?:portions?|servings?|helpings?|plates?) (?:were|was|are|is|seemed|looked|felt) "
            r"(?:\w+ )?(?:tiny|small|skimpy|stingy|meagre|meager|minuscule|measly|puny|smaller)",
            r"(?:we|i|us|me|everyone) (?:left|were|was|went home|came out|walked out) "
            r"(?:still )?hungry",
            r"still (?:hungry|starving)",
            r"(?:barely|hardly|not much|very little|not enough) (?:any )?(?:filling|meat|cheese|"
            r"sauce|toppings?|food|chicken|fish|flavou?r)",
            r"(?:portions?|portion sizes?|servings?|sizes?) (?:have |has )?(?:gone down|shrunk|"
            r"got smaller|gotten smaller|decreased)",
            r"(?:was|were) (?:just|only|all) (?:ice|water|batter|bread|bones?|gristle|fat|filler|"
            r"air|foam|breading|crust|sauce|salt|sugar|lettuce|rice|cucumber|onions?|cabbage)",
            r"(?:mostly|nothing but|basically) (?:ice|water|batter|bread|bones?|gristle|fat|filler|"
            r"air|foam|breading|crust|sauce|salt|sugar|lettuce|rice)",
            r"size of a (?:coaster|coin|matchbox|stamp|thumbnail|golf ball)",
            r"straight (?:out of|from) (?:a|the) (?:freezer|packet|tin|can|jar|microwave|bag)",
        ),
    ),
    (
        "cheap build",
        -1.3,
        (
            r"(?:feels?|felt|feeling|looks?|looked|sounds?|sounded|seems?|seemed|very|so|really|"
            r"too|incredibly|super|quite|made|built) cheap(?:ly)?(?: made| built)?",
            r"cheap(?:ly made|ly built|-feeling|-looking)?,? (?:plastic|materials?|build|"
            r"construction|feel|knock-?offs?|imitation|junk|components|parts|hardware|fabric|"
            r"stitching|rubbish|tat)",
            r"like (?:a |an )?cheap \w+",
        ),
    ),
    (
        "worse than before",
        -1.5,
        (
            r"(?:old|previous|last|first|other|original|older|earlier) \w+ (?:was|were|is|are|"
            r"did|sounded|worked|lasted|looked|tasted) (?:\w+ )?"
            r"(?:much |so much |far |way |a lot )?(?:better|nicer|superior)",
            r"(?:book|trailer|original|first (?:one|film|movie|season|book|series|part)|"
            r"old (?:menu|recipe|version|design|one)) (?:was|is|were) (?:\w+ )?(?:much |so much |"
            r"far |way |a lot )?better",
            r"(?:i'?ve|i have|we'?ve|we have|i had|we had) (?:seen|had|tasted|eaten|heard|used|"
            r"owned|watched|read|made) (?:much |far |way |a lot |so much )?better",
            r"step (?:down|backwards?) from",
            r"step backwards?",
            r"not as good as (?:the|my|its|their|it used to|before|last)",
            r"(?:slower|worse|louder|heavier|weaker|smaller|flimsier|thinner|blurrier|dimmer|"
            r"quieter) than (?:my|the|our|its|their) (?:old|previous|last|original|older|first|"
            r"other)",
            r"(?:quality|standards?|food|service) (?:went|has gone|have gone|has gone|gone) "
            r"(?:down|downhill)",
            r"(?:went|gone|going) downhill",
        ),
    ),
    (
        "gave up on it",
        -1.8,
        (
            r"(?:left|walked out|turned it off|switched it off|gave up|stopped watching|"
            r"stopped reading|fell asleep|nodded off|dozed off) (?:halfway|half way|half-way|"
            r"early|before the end|after (?:the first|twenty|ten|thirty|an|half)|during|"
            r"in the middle|\w+ minutes in)",
            r"(?:nearly|almost) (?:turned|switched|shut) (?:it )?off",
            r"(?:nearly|almost) (?:walked out|left|gave up)",
            r"(?:couldn'?t|could not|can'?t) (?:sit through|get through (?:it|the)|"
            r"finish (?:it|the))",
            r"(?:kept|keep|was|were|started) (?:checking|looking at) (?:my phone|my watch|the time|"
            r"the clock|how (?:much|long))",
            r"(?:kept|keep|keeps|was|were) waiting for (?:something|anything|it) to (?:happen|"
            r"start|get going|get good)",
            r"(?:left|leave|leaving) (?:most|half|the rest|much) of (?:my|our|the|it)",
        ),
    ),
    (
        "faint praise",
        -1.0,
        (
            r"(?:okay|ok|fine|alright|all right|decent|passable|watchable|edible|average|"
            r"acceptable|not bad|good enough),? i guess",
            r"i guess (?:it'?s|it was|it is|it'll do|they'?re|they were) (?:okay|ok|fine|alright|"
            r"decent|passable|not bad)",
            r"but only just",
            r"(?:just|pretty|fairly|very|so|only|merely|distinctly|decidedly|thoroughly) "
            r"(?:average|ordinary|so-so|passable|middling|unremarkable)",
            r"so-so",
            r"(?:fine|okay|ok|alright|watchable) if (?:there'?s|there is|you have|you'?ve got) "
            r"nothing (?:else|better)",
            r"nothing (?:i'?d|i would|we'?d|we would|worth) (?:go(?:ing)? out of (?:my|our|your) "
            r"way|rush(?:ing)? back|com(?:e|ing) back|recommend)",
            r"(?:don'?t|do not|didn'?t|can'?t) (?:understand|get|see) (?:the|all the|what the|"
            r"why (?:the|people|everyone)) (?:\w+ )?(?:hype|fuss|good reviews|rave reviews|raves|"
            r"praise|appeal|ratings)",
            r"(?:don'?t|do not|didn'?t) know what (?:the critics|critics|people|everyone|"
            r"reviewers) (?:saw|see|like|liked)",
            r"(?:mediocre|average|okay|ok|fine|decent|passable|forgettable) at best",
        ),
    ),
    (
        "lacking",
        -1.2,
        (
            rf"(?:no|zero|not much|not enough|without any|lacks?|lacking|lacked|devoid of|"
            rf"short on) (?:real |any )?{_MISSING}",
            rf"(?:nothing|none of it) (?:\w+ ){{0,3}}had (?:any|much) {_MISSING}",
            r"thin (?:plot|story|script|characters?|storyline|premise)",
            r"(?:plot|story|script|characters?|storyline|premise) (?:was|is|were|are|felt|feels) "
            r"(?:\w+ )?thin",
        ),
    ),
    (
        "bad texture",
        -1.2,
        (
            r"(?:smelled|smelt|smells|smelling|tasted|tastes|tasting|gone|going) off",
            r"tast(?:es|ed|ing) (?:of|like) (?:old|stale|burnt|the fridge|the freezer|plastic|"
            r"chemicals|soap|bleach|nothing|cardboard|metal|smoke|dishwater)",
            r"(?:looks?|looked|feels?|felt|sounds?|sounded|plays?|played) like (?:a |an )?"
            r"(?:cartoon|video game|cutscene|tv movie|student film|school play|music video|"
            r"robot|knock-?off)",
            r"written by (?:a |an )?(?:robot|computer|committee|child)",
            r"like (?:rubber|cardboard|leather|shoe leather|cement|glue|mush|dishwater|chalk|"
            r"sawdust|a brick|bricks|a hockey puck)",
        ),
    ),
    (
        "a defect",
        -1.2,
        (
            r"(?:hiss|hissing|buzz|buzzing|hum|humming|whine|whining|static|crackle|crackling|"
            r"echo|rattle|rattling|lag) (?:in|on|from|when|whenever|every|at|through|during)",
            r"(?:yellow|yellowish|blue|bluish|pink|pinkish|green|greenish|red|reddish|purple|grey|"
            r"gray) (?:tint|tinge|cast)",
            r"freezer burn",
            r"dead pixels?",
            r"(?:showing|shows|showed) (?:signs of )?(?:wear|rust|damage)",
            r"(?:crumbs|stains|dirt|dust|grease|mould|mold) all over",
            r"covered in (?:crumbs|dust|stains|grease|hair|napkins|dirt|mould|mold|scratches)",
            r"(?:hair|fly|bug|insect|cockroach|slug) in (?:it|my|our|the)",
            r"(?:stains?|dents?|cracks?|leaks?|scratches|scuffs?) (?:on|in|all over|everywhere)",
        ),
    ),
    (
        "service lapse",
        -1.2,
        (
            r"(?:never|didn'?t|did not) (?:came|come) back",
            r"(?:forgot|forgotten|forget) (?:my|our|the|to|about|us)",
            r"(?:brought|got|gave|served|sent) (?:us |me )?(?:the )?wrong",
            r"(?:had|have|needed) to (?:ask|flag|chase|wave|beg|remind|shout) (?:for|someone|"
            r"somebody|them|the|twice|again|three|several|a)",
            r"no record of",
            r"without (?:telling|asking|warning|informing|notifying) (?:us|me|anyone|anybody|"
            r"customers)",
            r"(?:seated|put|sat|placed) us (?:right )?(?:next to|by|near) the (?:toilets?|"
            r"bathrooms?|kitchen|door|bins?|entrance)",
            r"(?:argued|arguing|shouted|yelled|snapped) (?:with|at) (?:us|me)",
            r"(?:squeezed|crammed|squashed) (?:onto|into|in|together)",
            r"(?:turned|sent) (?:us|me|them) away",
            r"(?:nobody|no one|no-one) (?:cleared|came|checked|greeted|served|took|brought|"
            r"acknowledged|offered|asked)",
            r"(?:blamed|blaming) (?:us|me)",
            r"more interested in (?:their|his|her) phones?",
            r"(?:kept|keeps) pushing",
            r"(?:brought|got|given|handed) (?:us |me )?the (?:bill|check) before",
        ),
    ),
    (
        "sarcasm",
        -1.5,
        (
            r"so much for (?:the|that|their|your|fast|quick|free|quality|customer)",
            r"what a (?:joke|farce|shambles|rip-?off|waste|letdown|let-down|disappointment)",
            r"(?:oh|yeah) (?:great|right|wonderful|brilliant|joy|lovely|fantastic)",
            r"thanks? (?:a lot |so much |very much )?for nothing",
            r"(?:popcorn|wallpaper) (?:was|were|is) "
            r"more (?:interesting|entertaining|fun|exciting)",
            r"(?:like )?watching paint dry",
            r"(?:great|brilliant|fantastic|wonderful|perfect),? just (?:great|brilliant|fantastic|"
            r"wonderful|perfect|what i needed)",
        ),
    ),
    (
        "praise",
        2.2,
        (
            r"(?:couldn'?t|could not|can'?t) (?:be|have been) (?:happier|more pleased|better)",
            r"(?:can'?t|cannot) complain",
            r"no complaints",
            r"nothing to complain about",
            r"worth (?:every (?:penny|cent|minute|second)|it|the money|the price|the wait|"
            r"a (?:visit|try|look|watch|trip)|seeing|watching|trying|the (?:drive|trip|journey|"
            r"hype|ticket|effort|detour))",
            r"(?:will|would|i'll|we'll|you'll) (?:definitely |certainly |surely |absolutely )?"
            r"(?:be back|go back|"
            r"come back|return|order again|buy again)",
            r"(?:i|we|you)(?:'d|'ll| would| will) (?:definitely |certainly |happily |gladly |"
            r"absolutely |surely |probably |totally )?(?:buy|order|watch|see|visit|eat|stay|book|"
            r"get|use) (?:it |this |them |here |there |one |another |from them )?again",
            r"can'?t wait to (?:go back|come back|return|try|order)",
            r"(?:10|ten) out of (?:10|ten)|five stars|5 stars",
            r"works (?:great|perfectly|like a charm|well|fine|as advertised)",
            r"to die for",
            r"spot on",
            r"works? wonders",
            r"game[- ]?changer",
            r"(?:went|goes|go|going) (?:above and beyond|out of (?:their|his|her|the|its) way)",
            r"(?:exceeded|surpassed|beyond) (?:all )?(?:my |our )?expectations",
        ),
    ),
    (
        "put right",
        1.5,
        (
            r"(?:replaced|refunded|fixed|sorted|resolved|swapped|exchanged) (?:it|them|this|that|"
            r"the \w+|my \w+|a (?:\w+ )?\w+|everything)(?: \w+){0,3} (?:the same day|same day|"
            r"quickly|promptly|straight away|right away|immediately|in no time|overnight|"
            r"within (?:an?|\d+|one|two|a few) \w+|without (?:any )?(?:fuss|hassle))",
            r"(?:outage|problem|issue|fault|disruption|service|internet|power|app|site|website|"
            r"wi-?fi|connection)s? (?:is|are|was|were|has been|have been) (?:now )?(?:back up|"
            r"back online|fixed|resolved|restored|sorted|over)",
        ),
    ),
    (
        "quick or lasting",
        1.5,
        (
            r"(?:fast|quick|speedy|prompt|rapid|swift|next-day|same-day) (?:shipping|delivery|"
            r"dispatch|service|response|reply|charging|charger|setup|turnaround|refund)",
            r"(?:shipping|delivery|dispatch|service|response|reply|charging|setup|turnaround|"
            r"refund|food|it) (?:was|is|were|are) (?:\w+ )?(?:fast|quick|speedy|prompt|rapid|"
            r"swift)",
            r"(?:arrived|came|delivered|shipped|charges|dispatched|replied|responded|served|"
            r"came out) (?:very |really |super |so |nice and )?(?:fast|quickly|promptly|"
            r"on time|ahead of schedule|the next day|next day|(?:a|one|two) days? early|early)",
            r"(?:battery |charge )?lasts (?:me )?(?:all day|all night|all week|for days|for weeks|"
            r"for ages|(?:a |two |three |\d+ )?(?:full )?(?:days?|weeks?))",
        ),
    ),
    (
        "no problems",
        1.6,
        (
            r"(?:no|zero|not an?|not any|not a single|not one|without any|without a single|without|"
            r"never had (?:a|an|any|one|a single)|haven'?t had (?:a|an|any)|hasn'?t had "
            r"(?:a|an|any)|didn'?t have (?:a|an|any)) (?:\w+ )?(?:problems?|issues?|faults?|"
            r"hiccups?|dropouts?|glitch(?:es)?|fuss|hassle|trouble|regrets?)",
            r"(?:hasn'?t|haven'?t|didn'?t|doesn'?t|has not|have not|did not|not) "
            r"(?:once |even once |ever |yet )?(?:crashed|froze|frozen|lagged|dropped|disconnected|"
            r"failed|broken|broke|died|overheated|skipped|stuttered|glitched|slipped|"
            r"let (?:me|us) down)",
            r"(?:haven'?t|hasn'?t|never) had (?:a |an |one |any |a single )(?:\w+ )?"
            r"(?:dropped|lost|failed|missed) (?:connection|call|signal|delivery|parcel)s?",
            r"never (?:once )?(?:slips?|slipped|disconnect(?:s|ed)?|drops?|dropped|crash(?:es|ed)?|"
            r"freez(?:es|ed)|lags?|lagged|falters?|faltered|skips?|skipped|overheats?|overheated|"
            r"lets? up)",
            r"(?:haven'?t|hasn'?t|didn'?t|don'?t|doesn'?t|never) (?:had|have|needed|need) to "
            r"(?:charge|replace|return|fix|reset|restart|call|complain|chase)",
            r"(?:never|not once|hasn'?t once|has never|have never) (?:let (?:me|us) down|"
            r"disappoint(?:s|ed)?|fail(?:s|ed)?|missed a beat|dropped a call|crashed|"
            r"broken down|given (?:me|us) (?:any )?trouble)",
        ),
    ),
    (
        "no wait",
        1.6,
        (
            r"(?:didn'?t|did not|don'?t|do not|never|no need to|without having to) (?:have to |"
            r"had to |need to |needed to )?wait",
            r"no (?:wait|waiting|queue)(?: at all| time)?",
            r"(?:nobody|no one|no-one|never) (?:rushed|rushes|rush|hurried) (?:us|you|me)",
            r"(?:never|didn'?t|don'?t|doesn'?t) (?:rush|hurry) (?:us|you|me)",
        ),
    ),
    (
        "wants more",
        2.0,
        (
            r"(?:can'?t|cannot|couldn'?t) stop (?:thinking about|eating|listening|watching|using|"
            r"wearing|talking about|recommending|playing|smiling)",
            r"(?:couldn'?t|could not|can'?t) (?:take|tear|keep) (?:my|our) eyes off",
            r"on the edge of (?:my|our|your|their) seats?",
            r"(?:want|wanted|going|can'?t wait|dying|planning) to (?:watch|see|go|come|eat|try|"
            r"buy|order|read|play|visit|listen to) (?:it |this |here |there |them |back )?again",
            r"(?:didn'?t|did not|never) (?:expect|think|imagine) (?:to |it to |i'?d |i would |"
            r"we'?d |that |it would )?(?:\w+ )?(?:love|like|enjoy|be (?:this|so|that) good)",
            r"(?:won'?t|will not|never|don'?t) (?:leave|go home|walk out) hungry",
            r"never (?:once )?(?:checked|looked at) (?:my watch|the time|the clock|my phone)",
            r"(?:couldn'?t|could not|can'?t) (?:look away|put it down|get enough)",
            r"stuck in (?:my|your|our|their) heads?",
            r"nothing (?:about (?:it|this|the \w+) )?(?:felt|feels|was|is|seemed|seems) (?:\w+ )?"
            r"(?:forced|fake|rushed|wrong|off|cheap|out of place|overdone|predictable)",
            r"(?:survived|survives|survive|withstood|withstands|withstand) (?:a |the |being |many |"
            r"several |countless |multiple |\w+ )?(?:drops?|falls?|knocks?|bumps?|years?|months?|"
            r"trips?|rain|washes)",
            r"forget (?:i'?m|i am|you'?re|you are|they'?re) (?:even )?(?:wearing|using|there)",
        ),
    ),
    (
        "neutral term",
        0.0,
        (
            r"noise[- ]?cancel(?:l)?(?:ing|ation)",
            r"blocks? out",
            r"(?:fight|battle|chase|death|kill) (?:scenes?|sequences?|choreography)",
            r"fit (?:is|was)",
            r"(?:cooked|came|arrived|served|asked for (?:it|them)|ordered (?:it|them)|rare|medium) "
            r"well done",
            r"(?:cut|cuts|cutting|slash(?:es|ed|ing)?|lower(?:s|ed|ing)?|reduc(?:e|es|ed|ing)) "
            r"(?:\w+ )?(?:prices?|fees?|costs?|fares|bills?|delivery times|waiting times|"
            r"wait times|queues)",
        ),
    ),
)
