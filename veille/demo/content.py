"""Articles of the demo site (written for veille; any resemblance to real reports is intended
in tone only)."""

from __future__ import annotations

from datetime import datetime

from veille.demo.pages import Article

T = datetime.fromisoformat

NATO_SUMMIT = Article(
    slug="sommet-otan-flanc-est-russie",
    section="International",
    title="Sommet de l'OTAN : les Alliés renforcent le flanc est face à la Russie",
    lead=("Réunis à Bruxelles, les ministres de la défense de l'Alliance atlantique ont validé "
          "le déploiement de brigades supplémentaires en Pologne et dans les pays baltes."),
    author="Claire Dumont",
    published=T("2026-11-27T07:45:00+01:00"),
    paragraphs=[
        "Les trente-deux pays membres de l'Organisation du traité de l'Atlantique nord se sont "
        "entendus, jeudi 26 novembre, sur un renforcement durable de leur présence militaire sur "
        "le flanc oriental de l'Alliance. Le secrétaire général de l'OTAN, Mark Rutte, a parlé "
        "d'une « réponse proportionnée » aux manœuvres russes observées depuis l'été près des "
        "frontières de la Lituanie.",
        "Selon plusieurs diplomates, la décision a été précédée de longues discussions sur le "
        "financement des nouvelles unités. Les Alliés les plus exposés, au premier rang desquels "
        "la Pologne et l'Estonie, réclamaient un calendrier plus rapide que celui proposé par "
        "Berlin et Paris.",
        "À Moscou, le porte-parole du Kremlin, Dmitri Peskov, a dénoncé une « escalade "
        "dangereuse » et promis des « mesures de réponse ». La Russie considère l'élargissement "
        "de l'OTAN vers l'est comme une menace directe pour sa sécurité, un argument répété par "
        "Vladimir Poutine depuis le début de la guerre en Ukraine.",
        "Les ministres ont également évoqué la défense aérienne intégrée de l'Otan et le soutien "
        "à Kiev, sans annoncer de nouvelles livraisons. Une réunion du Conseil OTAN-Ukraine est "
        "prévue en décembre.",
    ],
    related=["Pologne : Varsovie accélère ses achats de chars", "Qu'est-ce que l'article 5 ?"],
    comments=["Enfin une décision claire, il était temps.", "Et le budget, qui paie ?"],
)

KHARKIV = Article(
    slug="kharkiv-frappes-drones-russes",
    section="International",
    title="Guerre en Ukraine : nuit de frappes de drones russes sur Kharkiv",
    lead=("Au moins neuf personnes ont été blessées dans la deuxième ville du pays, où les "
          "secours fouillaient encore jeudi matin les décombres d'un immeuble d'habitation."),
    author="Olena Martin, envoyée spéciale",
    published=T("2026-11-27T09:10:00+01:00"),
    paragraphs=[
        "Les sirènes ont retenti peu après minuit. Pendant près de trois heures, la défense "
        "antiaérienne ukrainienne a tenté d'intercepter une quarantaine de drones de type "
        "Shahed lancés depuis la région russe de Belgorod, selon l'armée de l'air ukrainienne.",
        "« Nous avons entendu une explosion, puis plus rien, seulement la poussière », raconte "
        "Iryna, 54 ans, évacuée avec ses voisins vers une école du quartier. Le maire de Kharkiv, "
        "Ihor Terekhov, a fait état de dégâts sur le réseau électrique.",
        "Le président Volodymyr Zelensky a de nouveau demandé à ses partenaires occidentaux des "
        "systèmes de défense antiaérienne supplémentaires. « Chaque nuit, la Russie teste nos "
        "défenses », a-t-il déclaré dans son allocution du soir.",
        "Les frappes sur les infrastructures énergétiques se sont multipliées depuis le début de "
        "l'automne, faisant craindre un hiver difficile pour les Ukrainiens.",
    ],
    related=["Carte : la situation militaire en Ukraine"],
)

SANCTIONS = Article(
    slug="sanctions-ue-gaz-russe",
    section="Europe",
    title="L'Union européenne adopte un nouveau paquet de sanctions contre Moscou",
    lead=("Les Vingt-Sept ont trouvé un accord sur l'interdiction progressive des importations "
          "de gaz naturel liquéfié russe, malgré les réticences de la Hongrie."),
    author="Marc Leroy",
    published=T("2026-11-26T18:20:00+01:00"),
    paragraphs=[
        "Après des semaines de négociations, les ambassadeurs des États membres ont approuvé "
        "mercredi soir un nouveau train de mesures restrictives visant la Russie. Le texte "
        "prévoit la fin des contrats de court terme de gaz naturel liquéfié russe d'ici à l'été.",
        "Budapest a obtenu une dérogation pour ses contrats de long terme. Le ministre hongrois "
        "des affaires étrangères a estimé que les sanctions « pénalisent davantage l'Europe que "
        "le Kremlin ».",
        "Le paquet ajoute également une cinquantaine de navires de la « flotte fantôme » russe à "
        "la liste des bâtiments interdits d'accès aux ports européens, ainsi que plusieurs "
        "banques accusées d'aider Moscou à contourner les restrictions.",
        "La Commission européenne estime que les recettes pétrolières et gazières russes ont "
        "reculé de près d'un quart en un an.",
    ],
)

PENSIONS = Article(
    slug="reforme-retraites-senat",
    section="Politique",
    title="Retraites : le Sénat adopte le projet de loi après une nuit de débats",
    lead=("Les sénateurs ont voté le texte par 196 voix contre 120. La commission mixte "
          "paritaire doit se réunir la semaine prochaine."),
    author="Julien Mercier",
    published=T("2026-11-27T06:30:00+01:00"),
    paragraphs=[
        "Le projet de loi sur le financement des retraites a franchi une nouvelle étape dans la "
        "nuit de mercredi à jeudi. Après plus de quarante heures de débats, la majorité "
        "sénatoriale a adopté le texte, en y ajoutant un amendement sur les carrières longues.",
        "Le ministre du travail a salué « un vote responsable » et rappelé que le déficit du "
        "régime général devrait atteindre 6 milliards d'euros en 2027 sans réforme.",
        "Les syndicats, eux, appellent à une nouvelle journée de mobilisation le 4 décembre. "
        "« Le gouvernement invoque le contexte international et la guerre en Ukraine pour "
        "justifier l'effort, mais ce sont toujours les mêmes qui paient », a déclaré la "
        "secrétaire générale de la CGT.",
        "La commission mixte paritaire, composée de sept députés et sept sénateurs, tentera de "
        "trouver une version commune du texte. En cas d'échec, l'Assemblée nationale aura le "
        "dernier mot.",
        "Plusieurs économistes jugent toutefois que les mesures votées ne suffiront pas à "
        "rétablir l'équilibre du système avant la fin de la décennie.",
    ],
)

ROLLER_COASTER = Article(
    slug="parc-attractions-montagnes-russes",
    section="Culture",
    title="Le parc d'attractions inaugure les plus hautes montagnes russes de France",
    lead=("Avec une chute de 62 mètres, la nouvelle attraction doit attirer 300 000 visiteurs "
          "supplémentaires dès la saison prochaine."),
    author="Sophie Garnier",
    published=T("2026-11-25T14:00:00+01:00"),
    paragraphs=[
        "Les premiers passagers sont descendus hilares, parfois un peu pâles. Les nouvelles "
        "montagnes russes du parc, construites en dix-huit mois, atteignent 110 km/h au bas de "
        "leur première descente.",
        "Le directeur du parc espère faire de l'attraction « une destination à part entière ». "
        "L'investissement, de 40 millions d'euros, est le plus important de l'histoire du site.",
        "Au restaurant du parc, la carte a été revue pour l'occasion : salade russe, crêpes et "
        "gaufres sont proposées à tarif réduit aux détenteurs d'un pass annuel.",
        "Les riverains, eux, s'inquiètent du bruit et de la circulation les jours d'affluence. "
        "Une réunion publique est prévue en janvier avec la mairie.",
    ],
)

ENGLISH = Article(
    slug="nato-ministers-eastern-flank",
    section="English",
    lang="en",
    title="NATO ministers agree to reinforce the eastern flank",
    lead=("Defence ministers meeting in Brussels approved additional brigades for Poland and "
          "the Baltic states, in a move Moscow called a dangerous escalation."),
    author="Staff reporter",
    published=T("2026-11-27T08:00:00+01:00"),
    paragraphs=[
        "The thirty-two members of the North Atlantic Treaty Organization agreed on Thursday to "
        "a lasting increase of their military presence on the Alliance's eastern flank.",
        "NATO Secretary General Mark Rutte described it as a proportionate answer to Russian "
        "manoeuvres observed near the Lithuanian border since the summer.",
        "The Kremlin spokesman denounced the decision and promised countermeasures, while "
        "Ukraine's president asked again for more air defence systems.",
    ],
)

CEASEFIRE = Article(
    slug="negociations-cessez-le-feu-istanbul",
    section="International",
    title="Ukraine-Russie : reprise des négociations à Istanbul sur un cessez-le-feu",
    lead=("Des délégations ukrainienne et russe doivent se retrouver lundi sous l'égide de la "
          "Turquie, une première depuis le printemps."),
    author="Agence France-Presse",
    published=T("2026-11-27T10:05:00+01:00"),
    canonical="/international/article/negociations-cessez-le-feu-istanbul.html",
    paragraphs=[
        "La présidence turque a confirmé jeudi la tenue de pourparlers entre Kiev et Moscou à "
        "Istanbul. Les discussions porteront d'abord sur un échange de prisonniers et sur la "
        "sécurité de la centrale nucléaire de Zaporijia.",
        "Le chef de la diplomatie russe, Sergueï Lavrov, a assuré que la Russie était « prête à "
        "discuter sans conditions préalables », une formule accueillie avec scepticisme à Kiev.",
        "Côté ukrainien, le négociateur en chef a rappelé que toute discussion sur un "
        "cessez-le-feu devait inclure « le retrait des troupes russes des territoires "
        "occupés ». Les partenaires européens de l'Ukraine suivront les échanges de près.",
        "Les précédentes sessions, au printemps, avaient permis le retour de plusieurs "
        "centaines de prisonniers de guerre.",
    ],
)

KYIV_WINTER = Article(
    slug="kyiv-hiver-coupures-electricite",
    section="International",
    title="À Kyïv, les habitants se préparent à un hiver de coupures d'électricité",
    lead=("Générateurs, batteries et poêles à bois : dans la capitale ukrainienne, chacun "
          "s'équipe avant les grands froids."),
    author="Hélène Kovalenko",
    published=T("2026-11-26T12:00:00+01:00"),
    paragraphs=[
        "Dans une quincaillerie du quartier de Podil, les rayons de lampes frontales sont vides "
        "depuis une semaine. « Les gens achètent tout ce qui produit de la lumière ou de la "
        "chaleur », explique le gérant, Oleksandr.",
        "L'opérateur national Ukrenergo prévoit des coupures programmées de quatre à huit heures "
        "par jour si les frappes russes sur les centrales se poursuivent. Les écoles de Kyiv ont "
        "installé des « points d'invincibilité », chauffés et équipés de générateurs.",
        "Malgré la fatigue, beaucoup refusent de partir. « C'est notre ville, on a déjà passé "
        "trois hivers comme ça », sourit Natalia, professeure de français, emmitouflée dans une "
        "doudoune élimée.",
        "Les autorités municipales ont ouvert des centres d'accueil et rappellent aux "
        "Ukrainiens les consignes de sécurité liées à l'usage des appareils de chauffage "
        "d'appoint.",
    ],
)

# -- one dispatch, three outlets: a story ------------------------------------------------
# An AFP dispatch as the demo outlet runs it, its republication by two other outlets (cut,
# retitled, its credit moved or gone) and one outlet's own reporting on the same event.

ZAPORIZHZHIA_PARAGRAPHS = [
    "Selon l'Agence internationale de l'énergie atomique (AIEA), la dernière ligne à haute "
    "tension de 750 kV, baptisée Dniprovska, a été coupée vers 04h00 par des bombardements "
    "dont Kiev et Moscou se rejettent la responsabilité.",
    "Les six réacteurs, à l'arrêt depuis 2022, continuent d'être refroidis grâce à vingt "
    "générateurs diesel, qui disposent de carburant pour une dizaine de jours, a indiqué le "
    "directeur général de l'AIEA, Rafael Grossi, en appelant à « une retenue maximale ».",
    "L'opérateur ukrainien Energoatom a dénoncé « une provocation russe », tandis que la "
    "direction installée par Rosatom affirme que des drones ukrainiens ont visé la ville "
    "voisine d'Enerhodar.",
    "C'est la dixième fois depuis le début de l'invasion que la plus grande centrale "
    "nucléaire d'Europe perd toute alimentation électrique extérieure.",
]

ZAPORIZHZHIA = Article(
    slug="zaporijjia-centrale-ligne-coupee",
    section="International",
    title="Zaporijjia : la centrale nucléaire privée de sa dernière ligne électrique",
    lead=("KIEV (AFP) - La centrale nucléaire de Zaporijjia, occupée par l'armée russe dans "
          "le sud de l'Ukraine, a de nouveau perdu jeudi sa dernière ligne d'alimentation "
          "électrique extérieure et fonctionne sur ses générateurs de secours."),
    author="Le Quotidien de l'Est avec AFP",
    published=T("2026-11-27T10:30:00+01:00"),
    paragraphs=[*ZAPORIZHZHIA_PARAGRAPHS, "Avec AFP"],
)

ZAPORIZHZHIA_RHIN = Article(
    slug="zaporijjia-generateurs-diesel",
    section="Monde",
    title="Ukraine : la centrale de Zaporijjia à nouveau sur ses générateurs diesel",
    lead=ZAPORIZHZHIA.lead,
    author="Le Courrier du Rhin",
    published=T("2026-11-27T11:05:00+01:00"),
    paragraphs=[*ZAPORIZHZHIA_PARAGRAPHS[:2], "© AFP"],
)

ZAPORIZHZHIA_ATLANTIQUE = Article(
    slug="centrale-zaporijjia-coupure",
    section="Monde",
    title="Coupure de courant à la centrale de Zaporijjia, l'AIEA inquiète",
    lead=ZAPORIZHZHIA.lead.removeprefix("KIEV (AFP) - "),
    author="La rédaction",
    published=T("2026-11-27T11:40:00+01:00"),
    paragraphs=ZAPORIZHZHIA_PARAGRAPHS[:3],
)

ZAPORIZHZHIA_REPORTAGE = Article(
    slug="enerhodar-centrale-inquietude",
    section="Monde",
    title="A Enerhodar, la centrale de Zaporijjia suspendue à ses générateurs",
    lead=("Depuis jeudi matin, les vingt générateurs diesel de la centrale de Zaporijjia "
          "tournent sans relâche : la ligne Dniprovska, la dernière qui la reliait au réseau, "
          "a été coupée dans la nuit."),
    author="Marc Lenoir, à Zaporijjia",
    published=T("2026-11-27T15:20:00+01:00"),
    paragraphs=[
        "Sur la rive nord du réservoir de Kakhovka, à Zaporijjia, les habitants guettent les "
        "nouvelles d'Enerhodar, la ville des employés de la centrale, sous occupation russe "
        "depuis mars 2022. « Dix jours de carburant, ce n'est rien », soupire Ivan, ancien "
        "ingénieur du site, qui a quitté Enerhodar en 2023.",
        "Rafael Grossi, le directeur général de l'AIEA, a réclamé un arrêt des tirs autour "
        "de la ligne Dniprovska pour permettre aux techniciens de la réparer. Ses inspecteurs "
        "présents sur le site décrivent des réserves de diesel en baisse.",
        "Energoatom accuse l'armée russe d'avoir délibérément visé la ligne, Moscou accuse "
        "Kiev. Pour les experts, les réacteurs, à l'arrêt, ne présentent pas de danger "
        "immédiat tant que leur refroidissement est assuré.",
    ],
)
