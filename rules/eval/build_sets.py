#!/usr/bin/env python3
"""Writes the labelled sets rules/eval/en-chat.jsonl and rules/eval/en-evasion.jsonl.

Usage: python3 rules/eval/build_sets.py   (deterministic; rerun after editing the lists)
Lines are written by hand below (chat) or built from hand-picked terms and the evasion
techniques the normaliser claims to undo (evasion). They were written from what chat
contains, not from the lexicon file; the team measures on held-out sets we never see.
"""
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(11)

# ---------------------------------------------------------------- chat: negatives ----
GREETINGS = """hi everyone|hello chat|hey hey|good morning from Germany|good evening all|yo what's up|
hiya|hello from Brazil!|hey streamer, first time here|back again lol|howdy folks|morning chat, coffee time|
gm gm|gn everyone, see you tomorrow|bye chat|thanks for the stream!|love the vibes today|hello from the UK|
hi from Scunthorpe!|greetings from Sussex|hey from Essex|hello from Middlesex|hi from Penistone|
hello from Cockermouth|hey from Shitterton lol it's a real village|good afternoon from Tokyo|
hi mom I'm on stream|happy Friday everyone|happy birthday to the mod!|merry christmas chat|
happy new year!|welcome back|welcome to the stream new people|sup|ayy|heyyy|hello hello|
what's good chat|long time no see|hi there|greetings earthlings|o/|hey guys how's it going|
evening from Hancock county|hi from Dickinson, North Dakota|cheers from Wankie? no wait it's Hwange now""".split("|")

GAME = """I killed the boss on my first try|we need to kill the dragon before it flies|
he shot me from across the map|nice shot!|headshot!!|that was a clean kill|kill the healer first|
he killed me again lol|go for the kill|I died to fall damage|I'm dead, revive me pls|
shoot the barrels to blow it up|you have to shoot the weak spot|that boss is brutal|
just die and respawn at the checkpoint|let's push B site|rotate mid|gg wp|gg ez no re|
that was a close game|what rank are you|I'm hardstuck gold|queue up with me later|
the assassin class is overpowered|play the assassin, trust me|classic mode or ranked?|
the classic skin is the best|I main support|who's the best jungler|this patch nerfed my main|
the sniper is broken this season|we got wiped|one more round|respawn in 5|
the final boss has three phases|how do you beat the hell difficulty?|Hell mode is no joke|
Diablo 4 hell tide is live|the cocktail item heals you|throw a molotov cocktail|
I need more ammo|drop me some shields|he's cracked at this game|that clutch was insane|
bro is cooking|let him cook|what a play|insane aim|he's camping in the corner|
no scope 360|can we get a 1v1|pog|poggers|LUL|kekw|monkaS|W streamer|L take|
take the bridge and flank|the shotgun one-shots|the grenade killed both of them|
kill feed is crazy|triple kill!|penta kill|ace!|first blood|
is the sword or the axe better|the cock-a-doodle-doo sound when you level up lol|
the rooster in Stardew is so loud|Balls in this game have weird physics|
the ball went right through his legs|he kicked the ball into his own net|
what a goal|offside!|the goalkeeper saved it|penalty shootout time|
shooting guard had 30 points|he shoots threes like Curry|nice putt|
hit a home run|the pitcher threw a curveball|that was a foul ball|
I bet he takes the shot|he got balls to try that|the basketballs are on sale|
dodgeball tournament tonight|play ball!|we need to score|
the bass in this song is amazing|turn up the bass|I play bass guitar|
he plays the sax|peacock feathers look so cool|
she's a pro gamer from Dickinson|
the cockpit view is nice in this flight sim|my Spitfire cockpit is modded|
can you hit the shuttlecock harder|the hitman mission is great|
Assassin's Creed is on sale|Hitman 3 or Assassin's Creed?|the assassination mission|
kill streak reward unlocked|bomb has been planted|defuse the bomb|
the bomb site is clear|the nuke map is my fave|I'm gonna snipe from the tower|
stab him in the back with the dagger|backstab does double damage|
he got executed by the boss|execute the combo|the execution animation is sick|
the game's murder mystery mode is fun|Among Us, who's the imposter|
Red is sus|vote out blue|I was the killer in Dead by Daylight|
the killer in DBD is camping|I died on purpose to reset|suicide run to grab the flag|
we need a tank|the raid boss one-shot the tank|healer, heal me|
the ganker keeps killing lowbies|stop feeding|he's feeding the enemy|
I'm trash at this game lol|I'm so bad at aiming|my aim is garbage today|
that was stupid of me|I'm an idiot, I forgot to reload|I'm so dumb, I missed the jump|
skill issue|touch grass|you're cracked|you're insane at this|your aim is crazy good|
the enemy team is stacked|we're getting destroyed|absolutely demolished|
the rapier is the best sword|rapid fire mode|the grape soda potion|
pick up the grapeshot cannon|Therapist NPC is in the clinic|the analyst bot gives intel|
the analysis screen shows your stats|analytics say I died 40 times|
the classic analysis of the meta|Dickens quest line|the Scunthorpe United kit in FIFA|
I scouted the whole map|the scrap metal is for crafting|craft the scrapper|
the assault rifle is meta|the assault class|assassinate the target quietly|
he's a massive tryhard but he's nice|sweaty lobby tonight|
bots in this lobby lol|npc behavior|noob question: how do I craft?|I'm a noob at this|
ez clap, jk that was hard|that boss was easy|ez game|rekt by the boss again""".split("|")

QUESTIONS = """what time does the stream end?|what game is this?|how long have you been streaming?|
what's your setup?|which mouse do you use?|what keyboard is that?|can you play some music?|
what song is this?|is this the new update?|when is the next tournament?|how do I join the discord?|
what's the server ip?|are you playing with viewers today?|how old is your dog?|
what's your cat's name?|where are you from?|what's the weather like there?|
did you watch the game last night?|is the DLC worth it?|how much was your chair?|
do you have a schedule?|can you explain the rules again?|what's that item?|
how do you get to the secret area?|what level are you?|what does that button do?|
is it better on PC or console?|who won the last match?|what's for dinner?|
what camera do you use?|how did you learn to draw like that?|what brush is that?|
how many hours do you have in this?|are you going to play the sequel?|
any tips for beginners?|what settings do you use?|what's your sensitivity?|
do you speedrun this?|what's the world record?|how do I beat this level?|
can someone explain the lore?|which class should I pick?|what build is that?|
do you stream on weekends?|what's the name of that song?|how's your week going?|
does anyone know a good recipe for cocktails?|what cocktail are you drinking?|
what's the best analysis tool for stocks?|can anyone recommend a therapist?|
my therapist says gaming is good for stress|is grape juice healthy?|
do you like grapes or grapefruit?|who's the assassin in the story?|
where is Scunthorpe exactly?|is Penistone near Sheffield?|have you been to Middlesex?""".split("|")

MEDICAL = """my grandma is fighting breast cancer, please send good vibes|
breast cancer awareness month is in October|I had a breast exam today|
the doctor said my testicles are fine after the injury|testicular cancer screening saves lives|
I'm breastfeeding so I might be afk|breastfeeding mothers need support|
chicken breast with rice is my go-to meal|I grilled some chicken breasts|
the vagina is a self-cleaning organ, my biology teacher said|
penis and vagina are in the biology chapter|we learned about the human reproductive system|
my cousin had a vasectomy|prostate exam at 50 is recommended|
I broke my coccyx falling off a bike|my rectum hurts after surgery, TMI sorry|
colon cancer screening is important|anal fissures are painful, my doctor said|
the anus is part of the digestive tract|the urologist was nice|
sex education should be taught in schools|what's the sex of your puppy?|
same-sex marriage is legal here|the opposite sex|sexual harassment training at work today|
I'm studying sexual health at uni|the sexual assault hotline is 24/7|
condoms are free at the clinic|birth control pills|the gynecologist appointment went well|
I'm pregnant!|we're having a baby boy|my wife gave birth yesterday|
nipple pain while nursing is common|the baby has a diaper rash|
the nurse checked my blood pressure|I have a stomach ache|I hurt my butt falling on ice lol|
my butt is numb from sitting too long|the buttocks muscles are the gluteus maximus|
my balls of my feet hurt after running|he kicked me in the shin|
mental health matters|depression is real, talk to someone|
suicide prevention hotline is 988 in the US|if you're struggling, reach out to someone|
I lost my uncle to suicide, please check on your friends|
self-harm awareness ribbon is orange|my friend is in therapy and it helps|
the psychiatrist changed my meds|I'm autistic and I love this game|
my brother has Down syndrome and he loves your streams|
I'm gay and this stream is my safe space|happy pride month!|
my two dads are watching too|she's transgender and proud|
lesbian representation in games is getting better|queer artists are amazing|
the black community in my city is organising a festival|
Jewish holidays are coming up|happy Hanukkah|Eid mubarak to everyone celebrating|
happy Diwali!|Chinese new year celebrations|the Japanese culture is fascinating|
my Mexican grandma makes the best tamales|I'm half Korean|I'm from Pakistan|
Pakistani food is amazing|Nigerian jollof rice is the best|I'm Nigerian|
my friend from Niger visited|the Niger river is huge|
Black Lives Matter|the history of the civil rights movement|
we read To Kill a Mockingbird in class|Hitler was a monster, we learned in history|
the Holocaust museum visit was moving|the swastika was a Hindu symbol long before|
I'm reading Moby Dick|Dick Grayson is the best Robin|Philip K. Dick wrote great books|
Dick Van Dyke is a legend|spotted dick is a British pudding|my uncle Dick is visiting|
Tom Hancock is my teacher|Alfred Hitchcock movies are great|
Herbie Hancock is a jazz legend|Ms Babcock is our coach|Cockburn is a Scottish name|
Wankdorf stadium in Bern|Lake Titicaca is in Peru|
Shitterton is a real village in Dorset|
Clitheroe is a town in Lancashire|Penistone grammar school|Scunthorpe United won!|
the Arsenal game was great|Arsenal vs Chelsea tonight|arsenic is poisonous|
Cummings is my last name|the cumulative score|document the bug please|
cucumber salad for lunch|circumstances changed|the circumference of a circle|
the title screen|Titanic is a sad movie|the titanium armor|constitution day|
Matsushita is a company|a petition to bring the old map back|competition is fierce|
buttons on the controller|butter chicken|the butterfly effect|rebuttal time|
the cockatoo talks|cockroaches everywhere|my cocker spaniel|Cockney accent|
skyscraper views|scrap that idea|crappie fishing this weekend|
a shiitake mushroom risotto|the bass drop|passive income is a myth|
massive update today|the class is full|assess the damage|the assistant coach|
an assortment of snacks|embassy visit|the grass is green|a glass of water|
compass points north|harass? no, harness the power!|
hell's kitchen is on|hello kitty|shell shocked|the Hellcat plane|Michelle is here|
Othello is a play|Hellsing anime is good|hellebore flowers|
Amsterdam is lovely|Rotterdam port|
cocktail party tonight|mocktails for me|dickens of a time|
the Pussycat Dolls song|pussy willow branches|my cat is a sweet pussycat|
the spice rack|spicy ramen|the raccoon stole my snack|a cocoon|tycoon game|
homogeneous mixture|homophone quiz|homo sapiens evolved in Africa|
sextant navigation|Sussex is lovely|Essex girls|the sexton rang the bell|
Wankie is old name of Hwange|a pen is mightier|the penalty|peninsula trip|
knobs on the synth|doorknob broke|turn the knob|
the analyst said|canal boat trip|banal comments|the annals of history|
the cockpit is small|peacock blue|Hancock the movie|
the therapist helped me|a grape vine|drapes for the window|scraped my knee|
the rapist was sentenced to 20 years, justice served|
my dog loves his balls|tennis balls everywhere|meatballs for dinner|
cheese balls are a snack|golf balls|the Balls Pyramid is a rock|
he has the balls to stream 24 hours|you've got balls, respect|
my boss is a jerk sometimes lol|
that's a bummer|oh shoot I forgot|shoot, I missed it|darn it|dang that's crazy|
heck yeah|gosh darn it|what the heck|frick|fudge!|son of a gun|oh snap|
holy moly|jeez|good grief|for Pete's sake|oh my god|OMG that's amazing|
omg omg omg|lol|lmao that's hilarious|rofl|haha nice|xD|
that's sick!|sick combo|wicked cool|it's lit|that slaps|fire track|
killer combo|you killed it!|you're killing it today|that joke killed me|
I'm dying of laughter|I almost died laughing|this meme is killing me|
I could murder a pizza right now|I'd kill for a coffee|dead tired|
the deadline is killing me|my feet are killing me|I'm dead lol|
shoot me a message later|shoot your shot|photo shoot tomorrow|
the bullet journal|pull the trigger on that purchase|
blow up the balloons|he blew up on youtube|that video blew up|
knock knock|knock him out in round 3|boxing match was crazy|
the fight was close|UFC fight night|wrestling is fake but fun|
a bloody mary|bloody nose from the cold air|the Bloody Baron quest|
that's a hard one|hard mode|this is hard|it's hard to say|
I'm stuck on this puzzle|the sucker punch move|this level sucks lol|
the vacuum sucks up everything|lollipop sucker|
nuts and bolts|I'm nuts about this game|peanuts allergy|
the Beaver Dam|a busy beaver|the beaver is Canada's animal|
cock your head|the weathercock on the church|


a pecking order|woodpecker sound|
my female dog is a good girl|
the bitcoin price is up|Bitcoin halving soon|
the shooter game|I love shooters|a third person shooter|
the fat cat|low fat yogurt|fat32 file system|
rapid eye movement|rapeseed oil for cooking|
the spicy taco|the nightmare boss|a negro spiritual in music history class|
Chink in the armor is an idiom|Negroni is a cocktail|
sniggering kids in class|he sniggered|a niggling injury|niggardly use of words (old word)|
a gaylord box in the warehouse (pallet box)|Gaylord is my grandpa's first name|
the gay Paris nights of the 1920s|
retardant coating on the wood|flame retardant fabric|
spastic colon was an old medical term|

the Cracker Barrel restaurant|Ritz crackers and cheese|

the spic and span commercial|
the coon hound puppy|Maine Coon cats are huge""".split("|")

EVERYDAY = """I just got home from work|making pasta tonight|my dog is snoring next to me|
it's raining here|it's so hot today|I can't sleep|just finished my homework|
going to the gym later|my cat knocked over my water|work was long today|
the traffic was awful|I'm eating pizza|watching with my little brother|
my mom says hi|I'm cooking dinner|good luck on your exam!|I passed my driving test!|
I got the job!|I'm so tired|need more coffee|it's my first day at school|
I start university next week|my sister is getting married|I'm on vacation|
we went to the beach|the sunset was beautiful|I love this song|
this stream is so relaxing|you're a great streamer|keep up the good work|
thanks for the tips|I learned a lot today|you helped me beat the level|
this community is the best|love you all|stay hydrated|take care everyone|
be kind to each other|you're awesome|appreciate you|you made my day|
happy to be here|thanks for the raid|thanks for the follow|thanks for the sub|
I'll be back later|brb bathroom|afk 5 min|back|ok|yes|no|maybe|idk|
I agree|true|facts|fair point|good question|interesting|nice|cool|wow|
that's cute|aww|so wholesome|I'm crying, that's beautiful|
my grandpa served in the navy|my dad is a firefighter|my mom is a nurse|
the kids are asleep finally|my toddler is watching too|
I'm learning Spanish|Duolingo streak 500 days|
the new Marvel movie was great|have you seen Dune?|reading Harry Potter again|
anyone going to the concert?|Taylor Swift tickets sold out|
I'm at the airport|landed in London|the train is late|
gardening today, tomatoes are growing|my plants are dying lol|
I adopted a kitten|my hamster escaped|the parrot says hello|
my fish tank is cloudy|walking the dog in the snow|
I love autumn|winter is coming|spring cleaning today|
I'm a teacher|I'm a software engineer|I work in a hospital|
night shift again|payday finally|I bought a new phone|
my laptop died|I need a new GPU|prices are crazy|
the mods here are great|thanks mods|mods are doing a great job|
can we get some hype in chat|let's go!!!|hype!!!|LET'S GOOOO|
clip it!|someone clip that|that's going in the highlights|
raid incoming|the raid was huge|
I'm new here, what's the vibe?|first stream I've caught live|
been watching for 3 years|day one viewer here|
your art is amazing|can you draw a cat next|the colors are beautiful|
the music is chill|lofi beats to study to|
Cheers to Dick and Jane, my favourite reading book as a kid|
I met Richard, he goes by Dick at work|
Butt Drugs is a pharmacy in Indiana|Mr. Butt is my dentist, true story|
Kuntz is a German surname|Mr Assange was in the news|
Sir Mix-a-Lot song came on|my friend Hoang is here|
I love Hooters wings, don't judge|
the word Scunthorpe always breaks filters lol|
classic rock is the best genre|the classical concert|
assassin bug is a real insect|an assassin snail in my fish tank|
my cocktail shaker broke|the cocktail menu|a classy cocktail bar|
the therapist's office|physical therapist appointment|
analysis paralysis|a detailed analysis|the psychoanalysis book|
grapes of wrath|grape flavoured gum|a grapefruit|
the Dickensian vibe|cock-and-bull story|
the prick of a needle|a prickly cactus|prickly pear|
a sextet concert|Middlesex university|
the pen island shop? that's Penisland lol|
expert exchange website|
the Wiener schnitzel|a wiener dog (dachshund)|
a tit bird on my feeder|blue tits nesting|great tits are common birds|
the hoe for my garden|a rake and a hoe|
the dam broke|a beaver dam|


the virgin islands|Virgin Atlantic flight|extra virgin olive oil|
a tramp stamp tattoo? no, a tramp steamer ship|
the slag heap near the mine|
the hooker position in rugby|
Dick's Sporting Goods sale|
the cum laude graduate|summa cum laude!|
the Kardashians? no comment|
the retard button on the old carburetor (retard the timing)|


Niger and Nigeria are different countries|
I'm studying the Negro Leagues baseball history
""".split("|")

def clean(lines):
    out = []
    for l in lines:
        l = l.strip()
        if l:
            out.append(l)
    return out

# Some negatives above are deliberately hard traps (UK slang, idiom, names); a few contain
# "no wait" jokes a strict moderator might act on. They stay negative: ordinary chat.

# ---------------------------------------------------------------- chat: positives ----
POS = {
 "profanity": """fuck this game|this is fucking broken|what the fuck was that|fuck off|
fucking hell|shut the fuck up|who the fuck asked|holy shit that was insane|this shit is so laggy|
bullshit call by the ref|this is bullshit|you're full of shit|piece of shit game|
what a bitch move|son of a bitch!|stop being a little bitch|bitch please|
dumbass move|you absolute dumbass|what an asshole|don't be an asshole|
he's such a dick|stop being a dick|dickhead|you twat|wanker|
bloody hell mate|damn it I died again|damn that hurts|goddamn it|crap, I missed|
this game is crap|piss off|pissed off right now|go to hell|what the hell man|
motherfucker camped me|mf really did that|mofo|stfu|gtfo|wtf is this|omfg|ffs again|
fck this|fk off|fuk you|f off|eff you|shitty teammates|this is shite|
you cunt|cunty move|knobhead|bellend|tosser|bastard|you bastard|
jackass|asshat|smartass|you're a prick|douchebag|what a douche|
holy crap|no shit sherlock|eat shit|kiss my ass|up yours asshole|
fuckin lag|fuckers|fuckface|shithead|dipshit|batshit crazy|
this map is ass|you're ass at this game|ass team|
f*ck this|sh!t happens|wtf bro|damnit|dammit|sob? no, son of a b*tch""".split("|"),
 "sexual": """send nudes|send me nudes pls|show me your tits|nice tits|show boobs|
your boobs are huge|I want to fuck you|wanna have sex?|let's have sex|sit on my face|
suck my dick|suck my cock|blowjob for a sub|I'll give you a blowjob|
she's a slut|you slut|dirty whore|what a whore|skank|thot|hoes mad|
I'm so horny|horny af|check my onlyfans|onlyfans link in bio|watching porn lol|
pornhub premium|hentai is life|rule 34 of the streamer|
dick pic?|I'll send a dick pic|you have a tiny dick|big cock energy|
pussy pics pls|eat my ass|I want to lick your pussy|cum on me|cumshot|
jerk off to this|I'm jacking off|fap fap|masturbating rn|
gangbang|threesome tonight?|doggy style|milf alert|
you're sexy|sexy streamer|lewd|nsfw pics?|naughty pics please|
she looks like a hooker|get naked|take it off|
I will rape you|rape|you got raped lol|the raped team|
he's a pedo|pedophile|child porn|
titties|boobies|dtf?|fwb?|booty call tonight""".split("|"),
 "identity_hate": """nigger|nigga|fuck niggers|go back to africa|
faggot|you're a fag|fags|that's so gay|ur gay|no homo|gay boy|
tranny|trannies|troon|dyke|lesbo|shemale|
retard|you retard|that's retarded|r3tard|spaz|mongoloid|
chink|ching chong|gook|wetback|beaner|spic|kike|dirty jew|gas the jews|heil hitler|
sieg heil|1488|white power|towelhead|raghead|sand nigger|paki|
go back to your country|go back to china|go back to mexico|china virus|kung flu|
women belong in the kitchen|get back in the kitchen|make me a sandwich|
girls can't play|feminazi|femoid|subhuman|you monkey|back to the zoo|
muslims are terrorists|coon|jungle bunny|porch monkey|darkie|
kraut|polack|gypsy scum|white trash|cracker ass""".split("|"),
 "harassment": """you're an idiot|you idiot|what an idiot|such an idiot|idiot|moron|
you're a moron|you moron|imbecile|loser|you loser|what a loser|you're stupid|
ur stupid|you are so dumb|ur dumb|you suck|u suck|you're trash|ur trash|
you're garbage|nobody likes you|no one likes you|everyone hates you|
you're worthless|you are pathetic|go uninstall|get a life|nobody asked|
who asked|cry about it|braindead|brain dead team|shut up loser|
shut up idiot|you clown|ur a clown|waste of oxygen|you're ugly|ur ugly|
fat pig|fatass|fatso|incel|cuck|neckbeard|beta male|soyboy|
scumbag|lowlife|dirtbag|your mom gay|ur mom gay|yo mama|
i will kill you|i'll kill you|im gonna kill you|i'm going to kill you|
i know where you live|i will find you and kill you|i will hurt you|
i'll stab you|i'll shoot you|i hope you die|hope you die|hope you get cancer|
die in a fire|go die|you should die|you deserve to die|
i'll dox you|gonna swat you|kill your family|i will rape you|
shoot up the school|i'll beat your ass|slit your throat|break your neck|
ligma|deez nuts|pedo|groomer|kid fucker|child molester""".split("|"),
 "self_harm": """kys|kys loser|kill yourself|go kill yourself|just kill yourself|
you should kill yourself|kill urself|k y s|neck yourself|rope yourself|
hang yourself|go hang yourself|shoot yourself|slit your wrists|drink bleach|
go drink bleach|jump off a bridge and die|go jump off a cliff|an hero|
unalive yourself|go unalive|end your life|off yourself|commit sudoku|
do everyone a favor and die|nobody would miss you|the world would be better without you|
you don't deserve to live|pls kys|please kys|go kys|kill yaself|kill yourselves""".split("|"),
 "scam_spam": """free vbucks at my link|free v bucks here|free robux generator|
free nitro giveaway|free discord nitro click here|free steam gift card|
claim your prize now|you have won a free iPhone|congratulations you won|
double your bitcoin in 24h|send btc to get double|crypto giveaway live now|
elon musk giveaway|connect your wallet to claim airdrop|verify your account or it will be suspended|
buy followers cheap|cheap viewers for your stream|best viewers on streamboost|
wanna become famous? buy followers and primes|get followers fast|
hot singles in your area|check my onlyfans link|nudes in my bio|
make money fast from home|earn $500 a day|$1000 a day working from home|
investment opportunity dm me|guaranteed profit crypto signals|
cash app me $20|venmo me for the giveaway|whatsapp me for details|
message me on telegram|add me on telegram|
click my link|click the link in my bio|link in bio|check my bio|
dm me for free stuff|dm me for cheap skins|follow me for follow back|
follow for follow|f4f|sub4sub|sub 4 sub anyone?|l4l|
check out my channel|subscribe to my channel|watch my stream instead|
join my discord for free skins|use my code for a discount|promo code FREE100|
100% free no scam|free money just click|viagra cheap|buy cialis online|
free spins casino bonus|sugar daddy wanted dm""".split("|"),
}

def chat():
    rows = []
    negs = []
    for cat, lines in [("greeting", GREETINGS), ("game", GAME), ("question", QUESTIONS),
                       ("medical_identity_names", MEDICAL), ("everyday", EVERYDAY)]:
        for l in clean(lines):
            negs.append({"text": l, "label": 0, "category": cat, "lang": "en"})
    pos = []
    for cat, lines in POS.items():
        for l in clean(lines):
            pos.append({"text": l, "label": 1, "category": cat, "lang": "en"})
    # Carry some positives inside ordinary sentences (what chat looks like).
    carriers = ["lol {}", "{} lmao", "bro {}", "{} tbh", "honestly {}", "{}!!", "ok {}", "{} haha"]
    extra = []
    for r in pos:
        if rng.random() < 0.35:
            extra.append(dict(r, text=rng.choice(carriers).format(r["text"])))
    rows = negs + pos + extra
    rng.shuffle(rows)
    return rows

# ------------------------------------------------------------------ evasion set -----
TERMS = ["fuck", "shit", "bitch", "asshole", "cunt", "dick", "cock", "pussy", "nigger",
         "faggot", "slut", "whore", "bastard", "retard", "motherfucker", "twat", "wanker",
         "cum", "tits", "piss", "kys", "rape", "dumbass", "bullshit", "porn"]
CAT = {"nigger": "identity_hate", "faggot": "identity_hate", "retard": "identity_hate",
       "cock": "sexual", "pussy": "sexual", "slut": "sexual", "whore": "sexual", "cum": "sexual",
       "tits": "sexual", "rape": "sexual", "porn": "sexual", "kys": "self_harm"}
LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7", "b": "8", "g": "9"}
LEET2 = {"a": "@", "i": "!", "s": "$", "o": "0", "e": "3", "l": "1"}
HOMO = {"a": "а", "e": "е", "o": "о", "c": "с", "p": "р", "x": "х", "y": "у", "i": "і", "s": "ѕ", "k": "κ", "u": "υ", "t": "т"}
FULL = lambda w: "".join(chr(ord(c) - 0x61 + 0xFF41) if c.isalpha() else c for c in w)
MATHB = lambda w: "".join(chr(ord(c) - 0x61 + 0x1D41A) if c.isalpha() else c for c in w)
MATHS = lambda w: "".join(chr(ord(c) - 0x61 + 0x1D4EA) if c.isalpha() else c for c in w)
ACC = {"a": "á", "e": "é", "i": "í", "o": "ö", "u": "ü", "c": "ç", "n": "ñ"}

def leet(w, table, rate=1.0):
    out = []
    changed = False
    for i, c in enumerate(w):
        if c in table and rng.random() < rate:
            out.append(table[c]); changed = True
        else:
            out.append(c)
    if not changed:
        for i, c in enumerate(w):
            if c in table:
                out[i] = table[c]; break
    return "".join(out)

def zalgo(w):
    marks = ["\u0301", "\u0316", "\u0334", "\u0350", "\u035c", "\u0362", "\u0315", "\u0327"]
    return "".join(c + "".join(rng.choice(marks) for _ in range(rng.randint(1, 3))) for c in w)

def techniques(w):
    return {
        "plain_upper": w.upper(),
        "mixed_case": "".join(c.upper() if i % 2 else c for i, c in enumerate(w)),
        "leet_digits": leet(w, LEET),
        "leet_symbols": leet(w, LEET2),
        "homoglyph": "".join(HOMO.get(c, c) for c in w),
        "zero_width": "\u200b".join(w),
        "zwj_soft_hyphen": w[:2] + "\u00ad" + w[2:] if len(w) > 2 else w + "\u200d",
        "dots": ".".join(w),
        "spaces": " ".join(w),
        "dashes": "-".join(w),
        "underscores": "_".join(w),
        "stars": w[0] + "*" + w[1:] if len(w) > 3 else "*".join(w),
        "repeats": "".join(c * (3 if i == len(w) // 2 else 1) for i, c in enumerate(w)),
        "repeats_all": "".join(c * 2 for c in w),
        "zalgo": zalgo(w),
        "fullwidth": FULL(w),
        "math_bold": MATHB(w),
        "math_script": MATHS(w),
        "accents": "".join(ACC.get(c, c) for c in w),
        "mixed": leet(w.upper(), {"A": "@", "I": "1", "O": "0", "S": "$", "E": "3"}, 0.5).replace("", "\u200b")[1:-1],
    }

CARRY = ["{}", "you {}", "{} lol", "what a {}", "omg {}", "{}!!!", "such {}", "stop it {}"]
CARRY_VERB = {"kys": ["{}", "just {}", "{} now", "pls {}"], "rape": ["{}", "i will {} you", "{} joke", "they {} you"],
              "fuck": ["{}", "{} you", "{} this", "what the {}"], "shit": ["{}", "holy {}", "this is {}", "{} game"],
              "piss": ["{} off", "{}", "{} off mate"], "cum": ["{}", "{} on me", "i want to {}"],
              "porn": ["{}", "watch {}", "{} site"], "tits": ["{}", "nice {}", "show {}"],
              "bullshit": ["{}", "that's {}", "{} call"]}

# Innocent words that contain the terms (and words near them) in short sentences.
INNOCENT = """assassin|assassinate|classic|classy|class|bass|bassist|passage|embassy|assess|assessment|
massive|compass|grass|harass|cassette|assume|assist|asset|assign|Assyria|sassy|lasso|
Scunthorpe|scuttle|cunning|cunningham|Dickens|Dickinson|dickey|Benedict|predict|verdict|
addict|edict|indicate|cockpit|cocktail|peacock|hancock|hitchcock|cockatoo|cockroach|shuttlecock|
cocky|cocker spaniel|cockney|cockle|woodcock|babcock|hickock|pussycat|pussy willow|octopus|
snigger|niggle|niggling|Niger|Nigeria|Nigerian|Montenegro|negroni|
faggots of wood|fag end|fagged out|Sluts? no: slurp|slut? no: salute|slither|slutty? no, sleuth|
whorl|wholesome|who're|bastardize? no: bastion|retardant|flame retardant|
mother|motherboard|motherland|motherhood|twattle? no: twain|Twatt Orkney|wankel engine|
cumulative|document|cucumber|cumin|circumstance|incumbent|accumulate|scum? no: scuba|
title|titanic|titanium|constitution|competition|petition|appetite|Titicaca|titter|
pissarro|piston|pistachio|piss? no: pissaladiere|
keys|kysely|kyss? no: Kyiv|therapist|grape|grapefruit|drape|scrape|rapeseed|parapet|
rapid|rapier|rapper|trapeze|skyscraper|scrap|crappie|
dumbbell|dumbo the elephant|dumbstruck|bullseye|bullish|bulletin|
pornography? no: popcorn|corny|acorn|capricorn|unicorn|
shiitake|shitake? shiitake|mishit? no: misfit|hitchhike|shift|shirt|
bitcoin|bitch? no: batch|pitch|ditch|witch|itch|hitch|stitch|
hello|shell|hellenic|Othello|michelle|
scunthorpe united|cocktail hour|classic assassin|analysis|analyst|canal|banal|
sextant|Sussex|Essex|Middlesex|sexton|
penistone|peninsula|penne pasta|happiness|
arsenal|arsenic|parse|sparse|coarse|
butter|button|buttress|rebuttal|Buttigieg|
spice|spicy|despicable|conspicuous|
raccoon|cocoon|tycoon|Maine Coon|
homogeneous|homophone|homonym|homo sapiens|
Japan|Japanese|jalapeno|
cracker|nutcracker|firecracker|
cumbersome|Cumbria|Cumberland|
Wankdorf|swank|swanky|
kike? no: kite|hike|bike|like|
gaylord pallet|Gaylord Perry|
retardation of growth (biology)|
Hoover dam|Amsterdam|damage|damask|
crapshoot? no: craps dice|scrappy|
therapeutic|the rapist was jailed? no: the therapist was nice|
grapevine|draped|scraped""".replace("\n", "").split("|")

def evasion():
    rows = []
    for w in TERMS:
        cat = CAT.get(w, "profanity")
        for name, form in techniques(w).items():
            tpl = rng.choice(CARRY_VERB.get(w, CARRY))
            rows.append({"text": tpl.format(form), "label": 1, "category": cat, "lang": "en",
                         "note": f"{w} {name}"})
    innocent_tpl = ["{}", "the {}", "I love {}", "{} is great", "check the {}", "about {}",
                    "{} time", "my {}", "{} lol", "what is {}?"]
    for word in INNOCENT:
        word = word.strip()
        if not word:
            continue
        if "? no:" in word or "? no," in word:
            continue  # these were notes to myself while writing, not words
        for tpl in rng.sample(innocent_tpl, 3):
            rows.append({"text": tpl.format(word), "label": 0, "category": "innocent_word", "lang": "en"})
    rng.shuffle(rows)
    return rows

def write(name, rows):
    with open(os.path.join(HERE, name), "w") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    pos = sum(r["label"] for r in rows)
    print(f"{name}: {len(rows)} lines, {pos} positive, {len(rows) - pos} negative")

write("en-chat.jsonl", chat())
write("en-evasion.jsonl", evasion())
