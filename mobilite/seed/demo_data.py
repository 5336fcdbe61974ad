"""Data of the demo network "Capacités publiques".

Pure data: the organisations that took part in the 2022 programme (La 27e Région), with
their headquarters and coordinates, plus invented agents' names, job titles, immersion
offers, motivations and refusal reasons. Theme and skill codes refer to
``mobilite.seed.taxonomy``. Every person's name here is an invented combination.
"""

from typing import TypedDict


class OrganisationData(TypedDict):
    slug: str
    name: str
    kind: str  # an OrganisationKind value
    address: str
    city: str
    postcode: str
    latitude: float
    longitude: float
    teams: list[str]


class Tutor(TypedDict):
    name: str
    role: str


class OfferTemplate(TypedDict):
    org: str  # the organisation's slug
    team: str
    title: str
    description: str
    themes: list[str]  # theme codes
    skills: list[str]  # skill codes
    prerequisites: list[tuple[str, int]]  # (skill code, minimum level)
    place: str  # a Place value
    accessibility: str
    tutor: Tutor
    session_days: list[int]  # working days of each session
    capacity: int


NETWORK = {
    "name": "Capacités publiques",
    "slug": "capacites-publiques",
    "description": (
        "Réseau de démonstration issu du programme Capacités publiques mené en 2022 par "
        "La 27e Région avec dix collectivités, un CCAS et une Carsat. Ses agent·es partent "
        "quelques jours en immersion dans une équipe d'une autre organisation du réseau "
        "(« vis ma vie ») pour apprendre, ouvrir leur parcours professionnel et tisser des "
        "liens entre institutions."
    ),
}

ORGANISATIONS: list[OrganisationData] = [
    {
        "slug": "cu-dunkerque",
        "name": "Communauté urbaine de Dunkerque",
        "kind": "epci",
        "address": "Pertuis de la Marine",
        "city": "Dunkerque",
        "postcode": "59140",
        "latitude": 51.037,
        "longitude": 2.371,
        "teams": [
            "Direction des mobilités",
            "Direction de la transition écologique",
            "Direction de la collecte et de la valorisation des déchets",
            "Direction du développement économique",
            "Direction du cycle de l'eau",
            "Direction des ressources humaines",
        ],
    },
    {
        "slug": "ca-cergy-pontoise",
        "name": "Communauté d'agglomération de Cergy-Pontoise",
        "kind": "epci",
        "address": "Hôtel d'agglomération, parvis de la Préfecture",
        "city": "Cergy",
        "postcode": "95000",
        "latitude": 49.037,
        "longitude": 2.078,
        "teams": [
            "Direction de l'aménagement et de l'urbanisme",
            "Direction du cycle de l'eau",
            "Direction des systèmes d'information",
            "Direction de l'habitat",
            "Direction du développement économique et de l'emploi",
            "Direction de la commande publique",
        ],
    },
    {
        "slug": "nantes-metropole",
        "name": "Nantes Métropole",
        "kind": "epci",
        "address": "2 cours du Champ-de-Mars",
        "city": "Nantes",
        "postcode": "44000",
        "latitude": 47.212,
        "longitude": -1.545,
        "teams": [
            "Direction des mobilités",
            "Direction de l'espace public",
            "Direction du numérique",
            "Direction de l'habitat",
            "Direction des déchets",
            "Mission dialogue citoyen",
        ],
    },
    {
        "slug": "departement-isere",
        "name": "Département de l'Isère",
        "kind": "departement",
        "address": "Hôtel du Département, 7 rue Fantin-Latour",
        "city": "Grenoble",
        "postcode": "38000",
        "latitude": 45.187,
        "longitude": 5.733,
        "teams": [
            "Direction de l'autonomie",
            "Direction de l'éducation et des collèges",
            "Service de l'aide sociale à l'enfance",
            "Direction des mobilités",
            "Archives départementales",
            "Direction des ressources humaines",
        ],
    },
    {
        "slug": "ccas-grenoble",
        "name": "CCAS de Grenoble",
        "kind": "ccas",
        "address": "28 galerie de l'Arlequin",
        "city": "Grenoble",
        "postcode": "38100",
        "latitude": 45.163,
        "longitude": 5.734,
        "teams": [
            "Direction de l'action sociale",
            "Direction de l'action gérontologique",
            "Direction de la petite enfance",
            "Service domiciliation et accès aux droits",
            "Direction des ressources",
        ],
    },
    {
        "slug": "ville-de-grenoble",
        "name": "Ville de Grenoble",
        "kind": "commune",
        "address": "Hôtel de ville, 11 boulevard Jean Pain",
        "city": "Grenoble",
        "postcode": "38000",
        "latitude": 45.187,
        "longitude": 5.736,
        "teams": [
            "Direction de l'urbanisme",
            "Service communal d'hygiène et de santé",
            "Bibliothèque municipale",
            "Direction de l'action territoriale",
            "Direction de l'éducation et de la jeunesse",
            "Direction de la tranquillité publique",
        ],
    },
    {
        "slug": "grenoble-alpes-metropole",
        "name": "Grenoble-Alpes Métropole",
        "kind": "epci",
        "address": "Le Forum, 3 rue Malakoff",
        "city": "Grenoble",
        "postcode": "38000",
        "latitude": 45.186,
        "longitude": 5.724,
        "teams": [
            "Direction de l'eau",
            "Direction de la propreté urbaine et des déchets",
            "Direction de l'habitat et du logement",
            "Direction de l'environnement et du climat",
            "Direction de l'espace public et de la voirie",
            "Direction des systèmes d'information",
        ],
    },
    {
        "slug": "carsat-centre-ouest",
        "name": "CARSAT Centre Ouest",
        "kind": "carsat",
        "address": "37 avenue du Président René Coty",
        "city": "Limoges",
        "postcode": "87048",
        "latitude": 45.837,
        "longitude": 1.264,
        "teams": [
            "Service retraite",
            "Service social",
            "Direction des risques professionnels",
            "Service accueil et relation aux assurés",
            "Action sociale retraite",
            "Direction des ressources humaines",
        ],
    },
    {
        "slug": "ville-de-caluire-et-cuire",
        "name": "Ville de Caluire-et-Cuire",
        "kind": "commune",
        "address": "Hôtel de ville, place du Docteur Frédéric Dugoujon",
        "city": "Caluire-et-Cuire",
        "postcode": "69300",
        "latitude": 45.795,
        "longitude": 4.847,
        "teams": [
            "Direction de l'éducation",
            "Service population et état civil",
            "Service des espaces verts",
            "Police municipale",
            "Direction des finances",
            "Direction de la culture",
        ],
    },
    {
        "slug": "ville-de-lyon",
        "name": "Ville de Lyon",
        "kind": "commune",
        "address": "Hôtel de ville, 1 place de la Comédie",
        "city": "Lyon",
        "postcode": "69001",
        "latitude": 45.7676,
        "longitude": 4.8363,
        "teams": [
            "Direction de l'aménagement urbain",
            "Direction de l'éducation",
            "Direction des espaces verts",
            "Bibliothèque municipale de Lyon",
            "Direction des sports",
            "Direction de la commande publique",
        ],
    },
    {
        "slug": "departement-gironde",
        "name": "Département de la Gironde",
        "kind": "departement",
        "address": "Hôtel du Département, 1 esplanade Charles-de-Gaulle",
        "city": "Bordeaux",
        "postcode": "33000",
        "latitude": 44.838,
        "longitude": -0.587,
        "teams": [
            "Direction des politiques d'inclusion et d'insertion",
            "Direction de la protection de l'enfance et de la famille",
            "Direction de l'environnement",
            "Direction des infrastructures",
            "Direction de l'éducation et des collèges",
            "Direction des ressources humaines",
        ],
    },
    {
        "slug": "region-centre-val-de-loire",
        "name": "Région Centre-Val de Loire",
        "kind": "region",
        "address": "9 rue Saint-Pierre-Lentin",
        "city": "Orléans",
        "postcode": "45000",
        "latitude": 47.903,
        "longitude": 1.911,
        "teams": [
            "Direction de l'Europe et de l'international",
            "Direction de la formation professionnelle",
            "Direction des transports et de la mobilité durable",
            "Direction des lycées",
            "Direction de l'environnement et de la transition énergétique",
            "Direction de l'économie",
        ],
    },
]

# Each organisation's SIRET number, for ProConnect sign-ins (a first sign-in with one creates an agent there).
# Invented numbers with a valid Luhn key (2009…: a made-up SIREN range), not the organisations' real ones.
SIRETS: dict[str, str] = {
    "cu-dunkerque": "20099000000016",
    "ca-cergy-pontoise": "20099013700016",
    "nantes-metropole": "20099027400017",
    "departement-isere": "20099041100015",
    "ccas-grenoble": "20099054800014",
    "ville-de-grenoble": "20099068500014",
    "grenoble-alpes-metropole": "20099082200013",
    "carsat-centre-ouest": "20099095900013",
    "ville-de-caluire-et-cuire": "20099109600013",
    "ville-de-lyon": "20099123300012",
    "departement-gironde": "20099137000012",
    "region-centre-val-de-loire": "20099150700019",
}

FIRST_NAMES_F = [
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Emma",
    "Inès",
    "Sarah",
    "Julie",
    "Marie",
    "Claire",
    "Sophie",
    "Nathalie",
    "Isabelle",
    "Sandrine",
    "Valérie",
    "Céline",
    "Aurélie",
    "Émilie",
    "Élodie",
    "Laure",
    "Anne",
    "Hélène",
    "Catherine",
    "Christine",
    "Sylvie",
    "Véronique",
    "Mathilde",
    "Pauline",
    "Lucie",
    "Margaux",
    "Charlotte",
    "Juliette",
    "Alice",
    "Louise",
    "Zoé",
    "Jeanne",
    "Agathe",
    "Clémence",
    "Océane",
    "Morgane",
    "Audrey",
    "Stéphanie",
    "Karine",
    "Fatima",
    "Amina",
    "Yasmina",
    "Leïla",
    "Nadia",
    "Samira",
    "Malika",
    "Aïcha",
    "Fatoumata",
    "Aminata",
    "Awa",
    "Linh",
    "Mei",
    "Sofia",
    "Ana",
    "Maria",
    "Chiara",
    "Nour",
    "Kenza",
    "Salomé",
    "Anaïs",
    "Gaëlle",
    "Maëlle",
    "Nolwenn",
    "Soizic",
    "Myriam",
    "Esther",
    "Rachel",
    "Elif",
    "Marine",
    "Coralie",
    "Jessica",
]

FIRST_NAMES_M = [
    "Thomas",
    "Nicolas",
    "Julien",
    "Maxime",
    "Antoine",
    "Alexandre",
    "Guillaume",
    "Pierre",
    "Romain",
    "Sébastien",
    "Vincent",
    "Olivier",
    "Laurent",
    "Christophe",
    "Stéphane",
    "Philippe",
    "Frédéric",
    "David",
    "Jérôme",
    "Éric",
    "François",
    "Patrick",
    "Benoît",
    "Mathieu",
    "Hugo",
    "Lucas",
    "Louis",
    "Théo",
    "Arthur",
    "Paul",
    "Jules",
    "Nathan",
    "Gabriel",
    "Raphaël",
    "Baptiste",
    "Quentin",
    "Clément",
    "Florian",
    "Kévin",
    "Mehdi",
    "Karim",
    "Rachid",
    "Youssef",
    "Nabil",
    "Samir",
    "Farid",
    "Bilal",
    "Yacine",
    "Moussa",
    "Mamadou",
    "Ibrahima",
    "Ousmane",
    "Minh",
    "Duc",
    "Wei",
    "João",
    "Miguel",
    "Luca",
    "Marco",
    "Erwan",
    "Yann",
    "Loïc",
    "Gaël",
    "Killian",
    "Anthony",
    "Cédric",
    "Adrien",
    "Bastien",
    "Damien",
    "Emre",
    "Tanguy",
    "Jean-Baptiste",
]

LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Lefèvre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Roussel",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clément",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
    "Robin",
    "Masson",
    "Sanchez",
    "Barbier",
    "Lemoine",
    "Marchand",
    "Duval",
    "Caron",
    "Vidal",
    "Aubert",
    "Renard",
    "Brun",
    "Giraud",
    "Joly",
    "Rivière",
    "Nguyen",
    "Tran",
    "Pham",
    "Le Gall",
    "Le Goff",
    "Kerboul",
    "Benali",
    "Haddad",
    "Belkacem",
    "Bensaïd",
    "Cherif",
    "Mansouri",
    "Boukhari",
    "Diallo",
    "Traoré",
    "Diop",
    "Ndiaye",
    "Koné",
    "Camara",
    "Da Silva",
    "Pereira",
    "Ferreira",
    "Rodrigues",
    "Fernandes",
    "Rossi",
    "Bianchi",
    "Kowalski",
    "Nowak",
    "Schmitt",
    "Meyer",
    "Weber",
    "Hoarau",
    "Payet",
    "Grondin",
    "Cohen",
    "Lévy",
    "Yilmaz",
    "Demir",
    "Chen",
    "Wang",
    "Baptiste",
    "Jean-Louis",
]

# Each team's jobs: its job family (a theme code, for the agent's skills) and the titles found in it, so that an
# agent's job title matches their service.
TEAM_JOBS: dict[str, tuple[str, list[str]]] = {
    "Direction des mobilités": (
        "mobilites",
        [
            "Chargé·e de mission mobilités",
            "Chef·fe de projet aménagements cyclables",
            "Responsable du réseau de transport urbain",
        ],
    ),
    "Direction de la transition écologique": (
        "environnement",
        [
            "Chargé·e de mission plan climat",
            "Chargé·e de mission transition énergétique",
            "Chargé·e de mission biodiversité",
        ],
    ),
    "Direction de la collecte et de la valorisation des déchets": (
        "dechets",
        ["Chef·fe d'équipe collecte", "Ambassadeur·rice du tri", "Gardien·ne de déchèterie", "Ripeur·se"],
    ),
    "Direction du développement économique": (
        "dev-eco",
        [
            "Chargé·e de développement économique",
            "Chargé·e de mission économie sociale et solidaire",
            "Chargé·e de promotion touristique",
        ],
    ),
    "Direction du cycle de l'eau": (
        "eau",
        [
            "Agent·e d'exploitation des réseaux d'eau",
            "Technicien·ne de station d'épuration",
            "Chargé·e de mission GEMAPI",
        ],
    ),
    "Direction des ressources humaines": (
        "rh",
        ["Gestionnaire paie et carrière", "Chargé·e de recrutement", "Responsable formation"],
    ),
    "Direction de l'aménagement et de l'urbanisme": (
        "urbanisme",
        [
            "Instructeur·rice des autorisations d'urbanisme",
            "Chargé·e d'opérations d'aménagement",
            "Chargé·e de planification urbaine",
        ],
    ),
    "Direction des systèmes d'information": (
        "numerique",
        [
            "Technicien·ne support et déploiement",
            "Administrateur·rice systèmes et réseaux",
            "Chef·fe de projet numérique",
        ],
    ),
    "Direction de l'habitat": (
        "habitat",
        [
            "Chargé·e de mission habitat",
            "Conseiller·ère en rénovation énergétique",
            "Gestionnaire des demandes de logement social",
        ],
    ),
    "Direction du développement économique et de l'emploi": (
        "emploi",
        [
            "Chargé·e de relations entreprises",
            "Conseiller·ère en insertion professionnelle",
            "Chargé·e de développement économique",
        ],
    ),
    "Direction de la commande publique": (
        "juridique",
        ["Acheteur·se public·que", "Gestionnaire des marchés publics", "Juriste"],
    ),
    "Direction de l'espace public": (
        "voirie",
        ["Technicien·ne voirie", "Surveillant·e de travaux", "Responsable de l'éclairage public"],
    ),
    "Direction du numérique": (
        "numerique",
        ["Chef·fe de projet numérique", "Administrateur·rice de données", "Géomaticien·ne"],
    ),
    "Direction des déchets": (
        "dechets",
        ["Chef·fe d'équipe collecte", "Ambassadeur·rice du tri", "Gardien·ne de déchèterie"],
    ),
    "Mission dialogue citoyen": (
        "citoyennete",
        ["Chargé·e de participation citoyenne", "Chargé·e de la vie associative"],
    ),
    "Direction de l'autonomie": (
        "social",
        ["Évaluateur·rice APA", "Instructeur·rice des aides sociales", "Travailleur·se social·e"],
    ),
    "Direction de l'éducation et des collèges": (
        "education",
        ["Gestionnaire des collèges", "Chargé·e des moyens des collèges", "Responsable de secteur éducatif"],
    ),
    "Service de l'aide sociale à l'enfance": (
        "social",
        ["Travailleur·se social·e", "Éducateur·rice spécialisé·e", "Référent·e aide sociale à l'enfance"],
    ),
    "Archives départementales": (
        "culture",
        ["Archiviste", "Chargé·e des publics", "Médiateur·rice culturel·le"],
    ),
    "Direction de l'action sociale": (
        "social",
        ["Travailleur·se social·e", "Instructeur·rice des aides sociales", "Chargé·e d'accueil social"],
    ),
    "Direction de l'action gérontologique": (
        "social",
        ["Évaluateur·rice APA", "Coordinateur·rice de résidence autonomie", "Travailleur·se social·e"],
    ),
    "Direction de la petite enfance": (
        "petite-enfance",
        ["Auxiliaire de puériculture", "Éducateur·rice de jeunes enfants", "Directeur·rice de crèche"],
    ),
    "Service domiciliation et accès aux droits": (
        "social",
        [
            "Chargé·e d'accueil social",
            "Conseiller·ère en économie sociale et familiale",
            "Instructeur·rice des aides sociales",
        ],
    ),
    "Direction des ressources": (
        "finances",
        ["Gestionnaire comptable", "Chargé·e de préparation budgétaire", "Contrôleur·se de gestion"],
    ),
    "Direction de l'urbanisme": (
        "urbanisme",
        [
            "Instructeur·rice des autorisations d'urbanisme",
            "Chargé·e de planification urbaine",
            "Chef·fe de projet renouvellement urbain",
        ],
    ),
    "Service communal d'hygiène et de santé": (
        "sante",
        ["Inspecteur·rice de salubrité", "Chargé·e de prévention santé", "Coordinateur·rice du contrat local de santé"],
    ),
    "Bibliothèque municipale": (
        "culture",
        ["Bibliothécaire", "Médiateur·rice culturel·le", "Chargé·e des publics"],
    ),
    "Direction de l'action territoriale": (
        "citoyennete",
        ["Chargé·e de participation citoyenne", "Agent·e d'accueil population", "Chargé·e de la vie associative"],
    ),
    "Direction de l'éducation et de la jeunesse": (
        "education",
        [
            "Animateur·rice périscolaire",
            "Chargé·e des inscriptions scolaires",
            "Coordinateur·rice du projet éducatif de territoire",
        ],
    ),
    "Direction de la tranquillité publique": (
        "securite",
        ["Policier·ère municipal·e", "Médiateur·rice de tranquillité publique", "Opérateur·rice de vidéoprotection"],
    ),
    "Direction de l'eau": (
        "eau",
        ["Agent·e d'exploitation des réseaux d'eau", "Technicien·ne de station d'épuration", "Technicien·ne SPANC"],
    ),
    "Direction de la propreté urbaine et des déchets": (
        "dechets",
        ["Agent·e de propreté urbaine", "Chef·fe d'équipe collecte", "Ambassadeur·rice du tri"],
    ),
    "Direction de l'habitat et du logement": (
        "habitat",
        [
            "Gestionnaire des demandes de logement social",
            "Technicien·ne habitat indigne",
            "Chargé·e de mission habitat",
        ],
    ),
    "Direction de l'environnement et du climat": (
        "environnement",
        ["Chargé·e de mission plan climat", "Chargé·e de mission biodiversité", "Animateur·rice nature"],
    ),
    "Direction de l'espace public et de la voirie": (
        "voirie",
        ["Technicien·ne voirie", "Surveillant·e de travaux", "Responsable de l'éclairage public"],
    ),
    "Service retraite": ("protection-sociale", ["Technicien·ne retraite", "Conseiller·ère retraite"]),
    "Service social": ("protection-sociale", ["Assistant·e de service social"]),
    "Direction des risques professionnels": (
        "protection-sociale",
        ["Contrôleur·se de sécurité", "Ingénieur·e conseil en prévention"],
    ),
    "Service accueil et relation aux assurés": (
        "protection-sociale",
        ["Conseiller·ère offre de service", "Conseiller·ère retraite"],
    ),
    "Action sociale retraite": (
        "protection-sociale",
        ["Assistant·e de service social", "Conseiller·ère offre de service"],
    ),
    "Direction de l'éducation": (
        "education",
        ["Animateur·rice périscolaire", "Chargé·e des inscriptions scolaires", "Responsable de secteur éducatif"],
    ),
    "Service population et état civil": (
        "citoyennete",
        ["Officier·ère d'état civil", "Agent·e d'accueil population", "Gestionnaire des élections"],
    ),
    "Service des espaces verts": ("espaces-verts", ["Jardinier·ère", "Élagueur·se", "Responsable des espaces verts"]),
    "Police municipale": ("securite", ["Policier·ère municipal·e", "Agent·e de surveillance de la voie publique"]),
    "Direction des finances": (
        "finances",
        ["Gestionnaire comptable", "Chargé·e de préparation budgétaire", "Analyste financier·ère"],
    ),
    "Direction de la culture": (
        "culture",
        ["Chargé·e de programmation", "Médiateur·rice culturel·le", "Chargé·e des publics"],
    ),
    "Direction de l'aménagement urbain": (
        "urbanisme",
        [
            "Chargé·e d'opérations d'aménagement",
            "Instructeur·rice des autorisations d'urbanisme",
            "Chef·fe de projet renouvellement urbain",
        ],
    ),
    "Direction des espaces verts": ("espaces-verts", ["Jardinier·ère", "Paysagiste concepteur·rice", "Élagueur·se"]),
    "Bibliothèque municipale de Lyon": (
        "culture",
        ["Bibliothécaire", "Médiateur·rice culturel·le", "Chargé·e des publics"],
    ),
    "Direction des sports": (
        "sport",
        [
            "Éducateur·rice des activités physiques et sportives",
            "Responsable d'équipement sportif",
            "Maître-nageur·se sauveteur·se",
        ],
    ),
    "Direction des politiques d'inclusion et d'insertion": (
        "emploi",
        ["Conseiller·ère en insertion professionnelle", "Référent·e RSA", "Facilitateur·rice des clauses sociales"],
    ),
    "Direction de la protection de l'enfance et de la famille": (
        "social",
        ["Travailleur·se social·e", "Éducateur·rice spécialisé·e", "Puériculteur·rice de PMI"],
    ),
    "Direction de l'environnement": (
        "environnement",
        ["Garde du littoral et des espaces naturels", "Chargé·e de mission biodiversité", "Animateur·rice nature"],
    ),
    "Direction des infrastructures": (
        "voirie",
        ["Agent·e d'exploitation des routes", "Technicien·ne voirie", "Surveillant·e de travaux"],
    ),
    "Direction de l'Europe et de l'international": (
        "europe",
        [
            "Instructeur·rice des fonds européens",
            "Chargé·e de mission Europe",
            "Chargé·e de coopération internationale",
        ],
    ),
    "Direction de la formation professionnelle": (
        "emploi",
        ["Chargé·e de mission formation professionnelle", "Chargé·e de relations entreprises"],
    ),
    "Direction des transports et de la mobilité durable": (
        "mobilites",
        [
            "Chargé·e de mission mobilités",
            "Gestionnaire des transports scolaires",
            "Chargé·e de l'offre de transport régional",
        ],
    ),
    "Direction des lycées": ("education", ["Gestionnaire des lycées", "Chargé·e d'opérations dans les lycées"]),
    "Direction de l'environnement et de la transition énergétique": (
        "environnement",
        [
            "Chargé·e de mission transition énergétique",
            "Chargé·e de mission biodiversité",
            "Chargé·e de mission plan climat",
        ],
    ),
    "Direction de l'économie": (
        "dev-eco",
        [
            "Chargé·e de développement économique",
            "Chargé·e de mission économie sociale et solidaire",
            "Chargé·e des aides aux entreprises",
        ],
    ),
}

# Where agents work besides the headquarters' commune, as the gazetteer writes communes ("Name (postcode)"):
# a département's or a region's services, a Carsat's agencies, an intercommunality's member towns.
WORK_SITES: dict[str, list[str]] = {
    "cu-dunkerque": ["Grande-Synthe (59760)", "Coudekerque-Branche (59210)"],
    "ca-cergy-pontoise": ["Pontoise (95300)"],
    "nantes-metropole": ["Rezé (44400)", "Saint-Herblain (44800)"],
    "departement-isere": ["Voiron (38500)", "Vienne (38200)", "Bourgoin-Jallieu (38300)"],
    "grenoble-alpes-metropole": ["Échirolles (38130)", "Saint-Martin-d'Hères (38400)"],
    "carsat-centre-ouest": ["Poitiers (86000)", "La Rochelle (17000)", "Angoulême (16000)"],
    "departement-gironde": ["Libourne (33500)", "Arcachon (33120)", "Langon (33210)"],
    "region-centre-val-de-loire": ["Tours (37000)", "Blois (41000)", "Bourges (18000)"],
}

OFFER_TEMPLATES: list[OfferTemplate] = [
    # --- Communauté urbaine de Dunkerque -------------------------------------------------
    {
        "org": "cu-dunkerque",
        "team": "Direction des mobilités",
        "title": "Dans les coulisses du bus gratuit",
        "description": (
            "Depuis 2018, le réseau de bus de l'agglomération dunkerquoise est gratuit pour tous. "
            "Vous suivrez l'équipe qui pilote le contrat avec l'exploitant : comités de suivi, "
            "analyse de la fréquentation, adaptation des lignes. Vous passerez une demi-journée "
            "au dépôt et au poste de régulation. Vous repartirez avec une vision concrète des "
            "effets de la gratuité sur la mobilité et les finances."
        ),
        "themes": ["mobilites"],
        "skills": ["mob-transport-public", "mob-plan", "evaluation"],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": "Locaux accessibles PMR ; dépôt de bus accessible avec accompagnement.",
        "tutor": {
            "name": "Gaëlle Vandamme",
            "role": "Responsable du pôle transports urbains",
        },
        "session_days": [3, 5],
        "capacity": 2,
    },
    {
        "org": "cu-dunkerque",
        "team": "Direction de la transition écologique",
        "title": "Piloter un plan climat sur un territoire industriel",
        "description": (
            "Le territoire dunkerquois concentre une grande part des émissions industrielles de "
            "la région. Vous découvrirez comment l'équipe construit et suit le plan climat-air-"
            "énergie avec les industriels, les communes et les habitant·es. Vous participerez à "
            "un comité de pilotage et à l'analyse des indicateurs de suivi. Une visite d'un site "
            "de récupération de chaleur fatale est prévue."
        ),
        "themes": ["environnement"],
        "skills": ["env-climat", "env-energie", "partenariat"],
        "prerequisites": [],
        "place": "hybrid",
        "accessibility": (
            "Bureaux accessibles PMR ; la visite de site industriel impose des chaussures de sécurité (fournies)."
        ),
        "tutor": {"name": "Romain Decock", "role": "Chef de projet plan climat"},
        "session_days": [3, 5],
        "capacity": 1,
    },
    {
        "org": "cu-dunkerque",
        "team": "Direction de la collecte et de la valorisation des déchets",
        "title": "Une semaine avec les équipes de collecte et de prévention des déchets",
        "description": (
            "Vous commencerez par une tournée de collecte au petit matin avec un équipage, puis "
            "vous rejoindrez les ambassadeur·rices du tri lors d'animations en pied d'immeuble. "
            "Vous verrez comment les tournées sont planifiées et comment la prévention fait "
            "baisser les tonnages. L'immersion se termine par la visite du centre de tri."
        ),
        "themes": ["dechets"],
        "skills": ["dec-collecte", "dec-prevention", "dec-tri"],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": (
            "Tournées à partir de 5 h ; équipements de protection fournis ; centre de tri non accessible en fauteuil "
            "roulant."
        ),
        "tutor": {"name": "Mehdi Benali", "role": "Chef d'équipe collecte"},
        "session_days": [2, 3],
        "capacity": 2,
    },
    {
        "org": "cu-dunkerque",
        "team": "Direction du développement économique",
        "title": "Accompagner l'implantation d'entreprises de la transition industrielle",
        "description": (
            "L'équipe accueille les projets d'implantation liés à la décarbonation de l'industrie "
            "et aux batteries. Vous assisterez à des rendez-vous avec des porteurs de projet et à "
            "la préparation d'une offre foncière. Vous verrez aussi comment les clauses "
            "d'insertion sont négociées pour que les emplois profitent aux habitant·es."
        ),
        "themes": ["dev-eco", "emploi"],
        "skills": ["eco-entreprises", "eco-attractivite", "emp-clauses"],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": "Locaux accessibles PMR ; déplacements en véhicule de service.",
        "tutor": {
            "name": "Claire Vandenbussche",
            "role": "Chargée d'affaires entreprises",
        },
        "session_days": [2, 3],
        "capacity": 1,
    },
    # --- Communauté d'agglomération de Cergy-Pontoise -----------------------------------
    {
        "org": "ca-cergy-pontoise",
        "team": "Direction du cycle de l'eau",
        "title": "Vis ma vie d'exploitant·e de station d'épuration",
        "description": (
            "Vous suivrez les technicien·nes qui surveillent le traitement des eaux usées de "
            "l'agglomération. Au programme : rondes d'exploitation, prélèvements et lecture des "
            "analyses, gestion d'une alerte. Vous découvrirez aussi le lien entre assainissement "
            "et qualité des milieux naturels de l'Oise."
        ),
        "themes": ["eau"],
        "skills": ["eau-epuration", "eau-qualite", "eau-gemapi"],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": (
            "Site industriel partiellement accessible ; visite toujours accompagnée, équipements de protection fournis."
        ),
        "tutor": {
            "name": "Karim Haddad",
            "role": "Responsable d'exploitation assainissement",
        },
        "session_days": [2, 3],
        "capacity": 1,
    },
    {
        "org": "ca-cergy-pontoise",
        "team": "Direction des systèmes d'information",
        "title": "Open data et SIG : cartographier le territoire",
        "description": (
            "Vous rejoindrez le pôle données et géomatique de l'agglomération. Vous participerez "
            "à la préparation d'un jeu de données ouvertes, de sa collecte à sa publication, et "
            "vous réaliserez une carte thématique avec un SIG libre. Vous échangerez avec les "
            "services métiers qui utilisent ces données au quotidien."
        ),
        "themes": ["numerique"],
        "skills": ["num-sig", "num-donnees", "tableur"],
        "prerequisites": [("tableur", 2)],
        "place": "hybrid",
        "accessibility": "Bureaux accessibles PMR ; poste de travail adaptable ; deux jours possibles à distance.",
        "tutor": {"name": "Linh Nguyen", "role": "Cheffe de projet données"},
        "session_days": [3, 5],
        "capacity": 2,
    },
    {
        "org": "ca-cergy-pontoise",
        "team": "Direction de la commande publique",
        "title": "De la définition du besoin à la notification : vivre un marché public",
        "description": (
            "Vous suivrez un marché public à travers ses étapes clés : définition du besoin avec "
            "le service demandeur, rédaction du dossier de consultation, analyse des offres et "
            "commission d'appel d'offres. Vous verrez comment des critères sociaux et "
            "environnementaux sont intégrés sans fragiliser la procédure. Vous repartirez avec "
            "les modèles de documents utilisés par l'équipe."
        ),
        "themes": ["juridique"],
        "skills": [
            "jur-marche",
            "jur-dce",
            "jur-analyse-offres",
            "jur-achat-responsable",
        ],
        "prerequisites": [("bureautique", 2)],
        "place": "hybrid",
        "accessibility": "Locaux accessibles PMR ; documents disponibles en version numérique accessible.",
        "tutor": {
            "name": "Sandrine Pereira",
            "role": "Responsable du service des marchés",
        },
        "session_days": [3, 5],
        "capacity": 2,
    },
    {
        "org": "ca-cergy-pontoise",
        "team": "Direction de l'habitat",
        "title": "Lutter contre l'habitat indigne avec les équipes de terrain",
        "description": (
            "Vous accompagnerez les technicien·nes lors de visites de logements signalés et "
            "assisterez à la rédaction des rapports et des procédures qui en découlent. Vous "
            "découvrirez le travail avec les communes, l'ARS et les bailleurs. Vous verrez enfin "
            "quelles aides à la rénovation sont proposées aux propriétaires."
        ),
        "themes": ["habitat"],
        "skills": ["hab-indigne", "hab-renovation", "san-hygiene"],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": "Visites dans des logements non accessibles ; la partie bureau est accessible PMR.",
        "tutor": {"name": "Olivier Mansouri", "role": "Technicien habitat indigne"},
        "session_days": [2, 3],
        "capacity": 1,
    },
    # --- Nantes Métropole ----------------------------------------------------------------
    {
        "org": "nantes-metropole",
        "team": "Direction des mobilités",
        "title": "Concevoir les aménagements cyclables de la métropole",
        "description": (
            "Vous découvrirez comment un itinéraire cyclable passe de l'idée au chantier : "
            "diagnostic, comptages, esquisses, concertation avec les riverain·es. Vous "
            "participerez à une réunion publique et à une visite de terrain à vélo. Vous "
            "verrez comment le plan de mobilité fixe les priorités."
        ),
        "themes": ["mobilites"],
        "skills": ["mob-velo", "mob-plan", "reunion-publique"],
        "prerequisites": [],
        "place": "hybrid",
        "accessibility": "Bureaux accessibles PMR ; la visite de terrain peut se faire en véhicule.",
        "tutor": {
            "name": "Erwan Le Gall",
            "role": "Chef de projet aménagements cyclables",
        },
        "session_days": [3, 5],
        "capacity": 2,
    },
    {
        "org": "nantes-metropole",
        "team": "Direction du numérique",
        "title": "Concevoir un service en ligne avec ses usager·es",
        "description": (
            "L'équipe refond une démarche en ligne avec les habitant·es qui l'utilisent. Vous "
            "participerez à des entretiens usagers, à un atelier de conception et à un test de "
            "prototype. Vous verrez comment les exigences d'accessibilité numérique sont prises "
            "en compte dès la conception."
        ),
        "themes": ["numerique"],
        "skills": ["num-service-en-ligne", "design-public", "num-projet"],
        "prerequisites": [("bureautique", 1)],
        "place": "hybrid",
        "accessibility": "Locaux accessibles PMR ; outils compatibles avec les lecteurs d'écran.",
        "tutor": {"name": "Nolwenn Kerboul", "role": "Designer de services"},
        "session_days": [3, 5],
        "capacity": 2,
    },
    {
        "org": "nantes-metropole",
        "team": "Mission dialogue citoyen",
        "title": "Animer une concertation métropolitaine",
        "description": (
            "Vous rejoindrez l'équipe qui conçoit et anime les dispositifs de dialogue citoyen. "
            "Vous préparerez avec elle un atelier participatif, vous y tiendrez un rôle "
            "d'animation puis vous contribuerez à la synthèse remise aux élu·es. Vous "
            "découvrirez les outils d'évaluation de la participation."
        ),
        "themes": ["citoyennete", "transversal"],
        "skills": [
            "cit-participation",
            "reunion-publique",
            "intelligence-collective",
            "evaluation",
        ],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": "Lieux de réunion accessibles PMR ; certains ateliers ont lieu en soirée.",
        "tutor": {
            "name": "Anaïs Rivière",
            "role": "Chargée de mission dialogue citoyen",
        },
        "session_days": [2, 3],
        "capacity": 2,
    },
    {
        "org": "nantes-metropole",
        "team": "Direction des déchets",
        "title": "Réduire les déchets : une semaine avec les guides composteur·ses",
        "description": (
            "Vous suivrez l'équipe prévention dans ses actions de terrain : installation d'un "
            "composteur partagé, animation sur un marché, accompagnement d'un foyer témoin. Vous "
            "verrez comment les actions sont suivies et évaluées. Une visite d'une recyclerie "
            "partenaire complète le programme."
        ),
        "themes": ["dechets", "environnement"],
        "skills": ["dec-prevention", "dec-tri", "env-sensibilisation"],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": "Activités en extérieur ; bureaux accessibles PMR.",
        "tutor": {"name": "Yann Le Goff", "role": "Responsable prévention des déchets"},
        "session_days": [2, 3],
        "capacity": 2,
    },
    # --- Département de l'Isère ----------------------------------------------------------
    {
        "org": "departement-isere",
        "team": "Direction de l'autonomie",
        "title": "Évaluer la perte d'autonomie à domicile",
        "description": (
            "Vous accompagnerez une évaluatrice médico-sociale lors de visites au domicile de "
            "personnes âgées qui demandent l'allocation personnalisée d'autonomie. Vous verrez "
            "comment la grille d'évaluation est remplie et comment le plan d'aide est construit "
            "avec la personne et ses proches. Vous assisterez à une réunion de coordination avec "
            "les services d'aide à domicile."
        ),
        "themes": ["social"],
        "skills": ["soc-autonomie", "soc-handicap", "soc-accueil"],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": "Déplacements à domicile en véhicule de service ; bureaux accessibles PMR.",
        "tutor": {"name": "Hélène Dumont", "role": "Évaluatrice APA"},
        "session_days": [3, 5],
        "capacity": 1,
    },
    {
        "org": "departement-isere",
        "team": "Direction de l'éducation et des collèges",
        "title": "Le Département dans les collèges : restauration, bâtiments et numérique",
        "description": (
            "Le Département gère une centaine de collèges. Vous passerez une journée dans un "
            "collège aux côtés de l'équipe technique et de la cuisine, puis vous suivrez le "
            "service central dans la programmation des travaux et des approvisionnements. Vous "
            "découvrirez le dialogue entre collectivité et Éducation nationale."
        ),
        "themes": ["education", "restauration"],
        "skills": ["edu-etablissements", "res-egalim", "pat-maintenance"],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": "Collège et bureaux accessibles PMR ; tenue adaptée requise en cuisine (fournie).",
        "tutor": {"name": "Jérôme Chevalier", "role": "Chef du service des collèges"},
        "session_days": [2, 3],
        "capacity": 2,
    },
    {
        "org": "departement-isere",
        "team": "Direction des mobilités",
        "title": "Viabilité hivernale et entretien des routes de montagne",
        "description": (
            "Vous rejoindrez un centre d'entretien routier en zone de montagne. Vous verrez "
            "comment l'astreinte hivernale est organisée, comment les circuits de déneigement "
            "sont planifiés et comment les chantiers d'été sont préparés. Vous accompagnerez "
            "une patrouille de surveillance du réseau."
        ),
        "themes": ["voirie"],
        "skills": ["voi-viabilite-hivernale", "voi-entretien", "voi-chantier"],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": "Centre d'entretien non accessible en fauteuil roulant ; équipements de protection fournis.",
        "tutor": {
            "name": "Bastien Giraud",
            "role": "Chef de centre d'entretien routier",
        },
        "session_days": [2, 3],
        "capacity": 1,
    },
    {
        "org": "departement-isere",
        "team": "Archives départementales",
        "title": "Des archives au public : conserver, classer, transmettre",
        "description": (
            "Vous découvrirez le circuit d'un document, de son versement par un service à sa "
            "communication en salle de lecture. Vous participerez à un tri d'archives "
            "contemporaines et à la préparation d'un atelier pédagogique pour des scolaires. "
            "Vous verrez aussi comment les archives conseillent les services sur l'archivage "
            "courant."
        ),
        "themes": ["culture", "affaires-generales"],
        "skills": ["cul-archives", "ag-archives", "cul-mediation"],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": "Bâtiment accessible PMR ; les magasins de conservation sont frais (environ 18 °C).",
        "tutor": {
            "name": "Catherine Lemoine",
            "role": "Responsable du pôle des publics",
        },
        "session_days": [2, 3],
        "capacity": 2,
    },
    # --- CCAS de Grenoble ----------------------------------------------------------------
    {
        "org": "ccas-grenoble",
        "team": "Direction de l'action sociale",
        "title": "Accueil social inconditionnel : vis ma vie de travailleur·se social·e",
        "description": (
            "Vous serez accueilli·e dans une antenne d'action sociale de quartier. Vous assisterez "
            "à des entretiens d'accueil (avec l'accord des personnes), à l'instruction d'aides "
            "facultatives et à une réunion d'équipe. Vous verrez comment l'équipe gère les "
            "situations tendues et oriente vers les partenaires."
        ),
        "themes": ["social"],
        "skills": ["soc-accueil", "soc-aides", "gestion-conflits"],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": "Antenne accessible PMR ; confidentialité des entretiens à respecter.",
        "tutor": {
            "name": "Samira Belkacem",
            "role": "Responsable d'antenne d'action sociale",
        },
        "session_days": [2, 3, 5],
        "capacity": 1,
    },
    {
        "org": "ccas-grenoble",
        "team": "Service domiciliation et accès aux droits",
        "title": "Domiciliation et accès aux droits des personnes sans domicile stable",
        "description": (
            "Le service permet à des personnes sans domicile stable de recevoir leur courrier et "
            "de faire valoir leurs droits. Vous participerez à l'accueil, à la remise du courrier "
            "et à l'accompagnement dans des démarches en ligne. Vous rencontrerez les "
            "partenaires associatifs du réseau d'hébergement."
        ),
        "themes": ["social", "habitat"],
        "skills": ["soc-domiciliation", "inclusion-numerique", "hab-hebergement"],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": "Locaux de plain-pied accessibles PMR.",
        "tutor": {
            "name": "Moussa Traoré",
            "role": "Coordinateur du service domiciliation",
        },
        "session_days": [2, 3],
        "capacity": 1,
    },
    {
        "org": "ccas-grenoble",
        "team": "Direction de l'action gérontologique",
        "title": "Une semaine en résidence autonomie",
        "description": (
            "Vous partagerez le quotidien d'une résidence autonomie : accueil des résident·es, "
            "animations, lien avec les familles et les soignant·es. Vous participerez à un atelier "
            "de prévention « bien vieillir » et à la réunion hebdomadaire de l'équipe. Vous "
            "verrez comment la résidence repère les fragilités et adapte l'accompagnement."
        ),
        "themes": ["social", "protection-sociale"],
        "skills": ["soc-ehpad", "ps-bien-vieillir", "soc-autonomie"],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": "Résidence entièrement accessible PMR.",
        "tutor": {
            "name": "Fatoumata Diallo",
            "role": "Directrice de résidence autonomie",
        },
        "session_days": [3, 5],
        "capacity": 2,
    },
    {
        "org": "ccas-grenoble",
        "team": "Direction de la petite enfance",
        "title": "Découvrir le quotidien d'une crèche municipale",
        "description": (
            "Vous serez accueilli·e dans une section de crèche et observerez les temps forts de "
            "la journée : accueil des familles, repas, sieste, activités d'éveil. Vous échangerez "
            "avec la directrice sur le projet d'établissement et le soutien à la parentalité. "
            "Vous verrez comment les places sont attribuées."
        ),
        "themes": ["petite-enfance"],
        "skills": ["pe-accueil-enfant", "pe-projet", "pe-parentalite"],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": "Crèche accessible PMR ; certificat de vaccinations à jour demandé.",
        "tutor": {"name": "Maëlle Perrin", "role": "Directrice de crèche"},
        "session_days": [2, 3],
        "capacity": 1,
    },
    {
        "org": "ccas-grenoble",
        "team": "Direction des ressources",
        "title": "Analyse des besoins sociaux : des données à la décision",
        "description": (
            "Chaque CCAS réalise une analyse des besoins sociaux de son territoire. Vous "
            "participerez à l'exploitation des données (INSEE, CAF, données internes), à la "
            "rédaction d'un chapitre et à sa présentation devant le conseil d'administration. "
            "Vous verrez comment l'analyse oriente les choix du CCAS."
        ),
        "themes": ["social", "transversal"],
        "skills": ["soc-abs", "tableur", "evaluation"],
        "prerequisites": [("tableur", 2)],
        "place": "hybrid",
        "accessibility": "Bureaux accessibles PMR ; travail à distance possible une partie de la semaine.",
        "tutor": {"name": "Vincent Roussel", "role": "Chargé d'observation sociale"},
        "session_days": [3, 5],
        "capacity": 1,
    },
    # --- Ville de Grenoble ---------------------------------------------------------------
    {
        "org": "ville-de-grenoble",
        "team": "Direction de l'urbanisme",
        "title": "Vis ma vie d'instructeur·rice du droit des sols",
        "description": (
            "Vous suivrez l'instruction de permis de construire et de déclarations préalables, "
            "de la complétude du dossier à la proposition de décision. Vous assisterez à un "
            "rendez-vous avec un pétitionnaire et à une visite de récolement. Vous verrez comment "
            "le PLU intercommunal s'applique concrètement à une parcelle."
        ),
        "themes": ["urbanisme"],
        "skills": ["urb-permis", "urb-conformite", "urb-plu"],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": "Hôtel de ville accessible PMR ; visites de terrain à pied ou en tramway.",
        "tutor": {"name": "Claire Martin", "role": "Cheffe du service ADS"},
        "session_days": [3, 5],
        "capacity": 2,
    },
    {
        "org": "ville-de-grenoble",
        "team": "Service communal d'hygiène et de santé",
        "title": "Santé environnementale : qualité de l'air intérieur et logement",
        "description": (
            "Le service communal d'hygiène et de santé agit sur les logements insalubres, le "
            "bruit et la qualité de l'air. Vous accompagnerez des inspecteur·rices lors d'une "
            "enquête de salubrité et d'une mesure de qualité de l'air dans une école. Vous "
            "verrez comment les constats deviennent des mesures de police sanitaire."
        ),
        "themes": ["sante", "habitat"],
        "skills": ["san-sante-environnement", "san-hygiene", "hab-indigne"],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": "Visites dans des logements parfois non accessibles ; bureaux accessibles PMR.",
        "tutor": {"name": "Nabil Cherif", "role": "Inspecteur de salubrité"},
        "session_days": [2, 3],
        "capacity": 1,
    },
    {
        "org": "ville-de-grenoble",
        "team": "Bibliothèque municipale",
        "title": "Bibliothèque de quartier : médiation et inclusion numérique",
        "description": (
            "Vous rejoindrez l'équipe d'une bibliothèque de quartier. Vous participerez à l'accueil "
            "du public, à une permanence d'aide aux démarches en ligne et à une animation "
            "jeunesse. Vous découvrirez comment la bibliothèque travaille avec les écoles et les "
            "associations du quartier."
        ),
        "themes": ["culture"],
        "skills": ["cul-lecture-publique", "cul-mediation", "inclusion-numerique"],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": "Bibliothèque accessible PMR ; boucle magnétique à l'accueil.",
        "tutor": {
            "name": "Louise Fontaine",
            "role": "Responsable de bibliothèque de quartier",
        },
        "session_days": [2, 3],
        "capacity": 2,
    },
    {
        "org": "ville-de-grenoble",
        "team": "Direction de l'action territoriale",
        "title": "Maisons des habitant·es : participation et vie associative",
        "description": (
            "Vous serez accueilli·e dans une maison des habitant·es. Vous participerez à "
            "l'accompagnement d'associations, à une réunion d'un conseil citoyen et à un projet "
            "financé par le contrat de ville. Vous verrez comment l'équipe fait remonter la parole "
            "des habitant·es vers les services."
        ),
        "themes": ["citoyennete", "urbanisme"],
        "skills": ["cit-participation", "cit-vie-associative", "urb-politique-ville"],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": "Locaux accessibles PMR ; quelques réunions en soirée.",
        "tutor": {
            "name": "Youssef Bensaïd",
            "role": "Responsable de maison des habitant·es",
        },
        "session_days": [2, 3],
        "capacity": 2,
    },
    # --- Grenoble-Alpes Métropole --------------------------------------------------------
    {
        "org": "grenoble-alpes-metropole",
        "team": "Direction de l'eau",
        "title": "L'eau potable, du captage au robinet",
        "description": (
            "Vous découvrirez la production et la distribution de l'eau potable de la métropole, "
            "réputée pour sa qualité sans traitement lourd. Vous visiterez un champ captant, "
            "suivrez une équipe d'intervention sur le réseau et assisterez au contrôle de la "
            "qualité. Vous verrez comment les périmètres de protection sont gérés."
        ),
        "themes": ["eau"],
        "skills": ["eau-potable", "eau-qualite", "sec-crise"],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": "Sites techniques peu accessibles ; chaussures de sécurité fournies.",
        "tutor": {
            "name": "Patrick Vidal",
            "role": "Responsable de la production d'eau potable",
        },
        "session_days": [2, 3],
        "capacity": 2,
    },
    {
        "org": "grenoble-alpes-metropole",
        "team": "Direction de l'habitat et du logement",
        "title": "Rénovation énergétique : accompagner les copropriétés",
        "description": (
            "La métropole accompagne les copropriétés dans des rénovations énergétiques "
            "ambitieuses. Vous assisterez à une assemblée générale de copropriétaires, à un "
            "rendez-vous de conseil et au montage d'un plan de financement. Vous verrez comment "
            "cette action s'inscrit dans le programme local de l'habitat et le plan climat."
        ),
        "themes": ["habitat", "environnement"],
        "skills": ["hab-renovation", "hab-plh", "env-climat"],
        "prerequisites": [],
        "place": "hybrid",
        "accessibility": "Bureaux accessibles PMR ; assemblées générales en soirée.",
        "tutor": {
            "name": "Élodie Masson",
            "role": "Conseillère en rénovation énergétique",
        },
        "session_days": [3, 5],
        "capacity": 1,
    },
    {
        "org": "grenoble-alpes-metropole",
        "team": "Direction de l'environnement et du climat",
        "title": "Qualité de l'air : de la zone à faibles émissions au plan climat",
        "description": (
            "Vous suivrez l'équipe qui pilote la zone à faibles émissions et le plan climat-air-"
            "énergie métropolitain. Vous participerez à l'analyse de données de pollution, à un "
            "comité de suivi avec les communes et à la préparation d'une communication grand "
            "public. Vous verrez comment concilier santé, mobilité et acceptabilité sociale."
        ),
        "themes": ["environnement", "mobilites"],
        "skills": ["env-climat", "mob-plan", "san-sante-environnement"],
        "prerequisites": [("tableur", 1)],
        "place": "hybrid",
        "accessibility": "Bureaux accessibles PMR ; une partie de la semaine possible à distance.",
        "tutor": {"name": "Théo Rossi", "role": "Chargé de mission qualité de l'air"},
        "session_days": [3, 5],
        "capacity": 1,
    },
    {
        "org": "grenoble-alpes-metropole",
        "team": "Direction de l'espace public et de la voirie",
        "title": "Surveiller un chantier de voirie et coordonner les interventions",
        "description": (
            "Vous accompagnerez un·e surveillant·e de travaux sur des chantiers de voirie en "
            "ville. Vous verrez comment les interventions des concessionnaires sont coordonnées, "
            "comment un arrêté de circulation est préparé et comment les riverain·es sont "
            "informé·es. Vous participerez à une réunion de chantier."
        ),
        "themes": ["voirie"],
        "skills": ["voi-chantier", "voi-arretes", "voi-entretien"],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": "Chantiers en extérieur, non accessibles en fauteuil roulant ; gilet et chaussures fournis.",
        "tutor": {"name": "Anthony Caron", "role": "Technicien voirie"},
        "session_days": [2, 3],
        "capacity": 1,
    },
    # --- CARSAT Centre Ouest -------------------------------------------------------------
    {
        "org": "carsat-centre-ouest",
        "team": "Service retraite",
        "title": "Vis ma vie de technicien·ne retraite",
        "description": (
            "Vous découvrirez comment un dossier de retraite est instruit, de la demande en ligne "
            "au premier paiement. Vous suivrez la régularisation d'une carrière incomplète et "
            "l'étude de droits particuliers (carrière longue, pension de réversion). Vous verrez "
            "les outils de production et les contrôles qualité."
        ),
        "themes": ["protection-sociale"],
        "skills": ["ps-retraite", "ps-carriere", "tableur"],
        "prerequisites": [("bureautique", 2)],
        "place": "hybrid",
        "accessibility": "Bâtiment accessible PMR ; poste de travail adaptable.",
        "tutor": {"name": "Sylvie Faure", "role": "Responsable d'unité retraite"},
        "session_days": [3, 5],
        "capacity": 2,
    },
    {
        "org": "carsat-centre-ouest",
        "team": "Service social",
        "title": "Accompagner les assuré·es fragilisé·es par la maladie",
        "description": (
            "Le service social de l'Assurance maladie accompagne les assuré·es en arrêt de travail "
            "long ou menacé·es de désinsertion professionnelle. Vous assisterez à des entretiens "
            "(avec l'accord des personnes), à une réunion avec le service médical et à un "
            "atelier collectif. Vous verrez comment les partenaires de l'emploi et du handicap "
            "sont mobilisés."
        ),
        "themes": ["protection-sociale", "social"],
        "skills": ["ps-service-social", "soc-accueil", "partenariat"],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": "Locaux accessibles PMR ; confidentialité des entretiens à respecter.",
        "tutor": {"name": "Nathalie Aubert", "role": "Cadre du service social"},
        "session_days": [3, 5],
        "capacity": 1,
    },
    {
        "org": "carsat-centre-ouest",
        "team": "Direction des risques professionnels",
        "title": "Prévenir les risques professionnels dans les entreprises",
        "description": (
            "Vous accompagnerez un·e contrôleur·se de sécurité lors de visites d'entreprises et "
            "découvrirez comment la Carsat conseille et incite à la prévention. Vous verrez aussi "
            "comment les taux de cotisation accidents du travail sont calculés. Une occasion de "
            "comparer avec la prévention dans votre propre collectivité."
        ),
        "themes": ["protection-sociale", "rh"],
        "skills": ["ps-prevention-pro", "ps-tarification", "rh-qvt"],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": "Visites en entreprise, parfois sur sites industriels non accessibles ; équipements fournis.",
        "tutor": {"name": "Laurent Payet", "role": "Ingénieur conseil en prévention"},
        "session_days": [2, 3],
        "capacity": 1,
    },
    {
        "org": "carsat-centre-ouest",
        "team": "Action sociale retraite",
        "title": "Bien vieillir : concevoir des ateliers de prévention avec les partenaires",
        "description": (
            "Vous rejoindrez l'équipe qui finance et coordonne des actions de prévention pour "
            "les retraité·es : ateliers mémoire, équilibre, nutrition, lien social. Vous "
            "participerez à un comité avec les caisses partenaires et à l'évaluation d'un "
            "atelier. Vous verrez comment les publics fragiles sont repérés en milieu rural."
        ),
        "themes": ["protection-sociale", "sante"],
        "skills": ["ps-bien-vieillir", "san-prevention", "partenariat"],
        "prerequisites": [],
        "place": "hybrid",
        "accessibility": "Bureaux accessibles PMR ; déplacements possibles en Haute-Vienne.",
        "tutor": {
            "name": "Mariama Koné",
            "role": "Chargée de développement de l'action sociale",
        },
        "session_days": [2, 3],
        "capacity": 2,
    },
    # --- Ville de Caluire-et-Cuire -------------------------------------------------------
    {
        "org": "ville-de-caluire-et-cuire",
        "team": "Service population et état civil",
        "title": "Vis ma vie d'officier·ère d'état civil",
        "description": (
            "Vous passerez quelques jours au service population : établissement d'actes de "
            "naissance et de décès, préparation d'un mariage, instruction de demandes de cartes "
            "d'identité et de passeports. Vous découvrirez aussi la tenue des listes électorales. "
            "Un service où la rigueur juridique rencontre l'accueil du public."
        ),
        "themes": ["citoyennete"],
        "skills": ["cit-etat-civil", "cit-titres", "cit-elections"],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": "Hôtel de ville accessible PMR.",
        "tutor": {
            "name": "Véronique Lambert",
            "role": "Responsable du service population",
        },
        "session_days": [2, 3],
        "capacity": 1,
    },
    {
        "org": "ville-de-caluire-et-cuire",
        "team": "Service des espaces verts",
        "title": "Gestion différenciée et zéro phyto dans une ville de la métropole lyonnaise",
        "description": (
            "Vous travaillerez aux côtés des jardinier·ères sur les parcs et les pieds d'arbres "
            "de la commune. Vous verrez comment la gestion différenciée est planifiée, comment "
            "l'état sanitaire des arbres est suivi et comment la biodiversité est favorisée sans "
            "pesticides. Tenue de travail fournie."
        ),
        "themes": ["espaces-verts", "environnement"],
        "skills": ["ev-entretien", "ev-arbres", "env-biodiversite"],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": "Travail en extérieur ; vestiaires non accessibles en fauteuil roulant.",
        "tutor": {"name": "Cédric Marchand", "role": "Responsable des espaces verts"},
        "session_days": [2, 3],
        "capacity": 2,
    },
    {
        "org": "ville-de-caluire-et-cuire",
        "team": "Police municipale",
        "title": "Police municipale de proximité : prévention et médiation",
        "description": (
            "Vous accompagnerez les policier·ères municipaux·ales en patrouille pédestre et aux "
            "abords des écoles. Vous verrez comment les conflits de voisinage et les incivilités "
            "sont traités par la médiation avant la sanction. Vous participerez à une réunion de "
            "quartier avec les habitant·es."
        ),
        "themes": ["securite"],
        "skills": ["sec-police-municipale", "sec-mediation", "gestion-conflits"],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": "Patrouilles à pied ; la personne accueillie reste observatrice, sans uniforme.",
        "tutor": {"name": "Stéphane Garnier", "role": "Chef de la police municipale"},
        "session_days": [2, 3],
        "capacity": 1,
    },
    {
        "org": "ville-de-caluire-et-cuire",
        "team": "Direction des finances",
        "title": "Construire le budget d'une commune de 43 000 habitant·es",
        "description": (
            "Vous suivrez la préparation budgétaire : dialogue avec les services, arbitrages, "
            "rapport d'orientation budgétaire. Vous participerez à l'analyse de l'exécution et à "
            "une simulation prospective de l'épargne et de la dette. Une immersion idéale pour "
            "comprendre les contraintes financières d'une commune."
        ),
        "themes": ["finances"],
        "skills": ["fin-budget", "fin-execution", "fin-analyse", "tableur"],
        "prerequisites": [("tableur", 2)],
        "place": "hybrid",
        "accessibility": "Bureaux accessibles PMR ; une journée possible à distance.",
        "tutor": {"name": "Mathieu Dupont", "role": "Directeur des finances"},
        "session_days": [3, 5],
        "capacity": 1,
    },
    # --- Ville de Lyon -------------------------------------------------------------------
    {
        "org": "ville-de-lyon",
        "team": "Direction de l'éducation",
        "title": "Organiser les temps périscolaires dans les écoles lyonnaises",
        "description": (
            "Vous découvrirez l'organisation des temps du midi et du soir dans les écoles de la "
            "ville. Vous passerez une journée dans une école avec l'équipe d'animation, puis "
            "vous suivrez la coordination du projet éducatif de territoire avec les partenaires. "
            "Vous verrez comment les inscriptions et les taux d'encadrement sont gérés."
        ),
        "themes": ["education"],
        "skills": ["edu-periscolaire", "edu-pedt", "edu-animation"],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": "École et bureaux accessibles PMR.",
        "tutor": {"name": "Aïcha Diop", "role": "Responsable de secteur éducatif"},
        "session_days": [2, 3],
        "capacity": 2,
    },
    {
        "org": "ville-de-lyon",
        "team": "Direction de l'aménagement urbain",
        "title": "Instruire les autorisations d'urbanisme en site patrimonial",
        "description": (
            "Une partie de Lyon est inscrite au patrimoine mondial de l'Unesco. Vous suivrez "
            "l'instruction de demandes en secteur protégé, en lien avec l'architecte des "
            "bâtiments de France. Vous assisterez à une commission et à une visite de conformité. "
            "Vous verrez comment concilier projet contemporain et patrimoine."
        ),
        "themes": ["urbanisme", "culture"],
        "skills": ["urb-permis", "urb-conformite", "cul-patrimoine"],
        "prerequisites": [("urb-permis", 1)],
        "place": "on_site",
        "accessibility": "Bureaux accessibles PMR ; visites à pied dans le Vieux-Lyon (pavés, escaliers).",
        "tutor": {
            "name": "François Bertrand",
            "role": "Responsable de l'instruction en secteur patrimonial",
        },
        "session_days": [3, 5],
        "capacity": 1,
    },
    {
        "org": "ville-de-lyon",
        "team": "Direction des espaces verts",
        "title": "Végétaliser une cour d'école avec ses usager·es",
        "description": (
            "La ville transforme des cours d'école bitumées en cours végétalisées. Vous suivrez "
            "un projet de la concertation avec les enfants et les enseignant·es jusqu'au chantier. "
            "Vous participerez à un atelier de conception et verrez comment les choix de végétaux "
            "et de sols répondent aux enjeux de chaleur et de biodiversité."
        ),
        "themes": ["espaces-verts", "environnement"],
        "skills": ["ev-conception", "env-biodiversite", "intelligence-collective"],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": "Bureaux accessibles PMR ; chantier en extérieur.",
        "tutor": {"name": "Marine Ferreira", "role": "Paysagiste conceptrice"},
        "session_days": [2, 3, 5],
        "capacity": 2,
    },
    {
        "org": "ville-de-lyon",
        "team": "Bibliothèque municipale de Lyon",
        "title": "Accueillir tous les publics à la bibliothèque",
        "description": (
            "Vous découvrirez comment une grande bibliothèque municipale adapte ses services aux "
            "publics en situation de handicap, aux personnes éloignées de la lecture et aux "
            "scolaires. Vous participerez à l'accueil, à un atelier d'éducation artistique et "
            "culturelle et à une séance du service d'accessibilité. Vous échangerez avec "
            "l'équipe sur les partenariats noués avec les associations du handicap."
        ),
        "themes": ["culture", "transversal"],
        "skills": ["cul-lecture-publique", "accueil-handicap", "cul-eac"],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": "Bâtiment accessible PMR ; documents adaptés (gros caractères, audio).",
        "tutor": {"name": "Jeanne Weber", "role": "Responsable du pôle publics"},
        "session_days": [2, 3],
        "capacity": 2,
    },
    {
        "org": "ville-de-lyon",
        "team": "Direction des sports",
        "title": "Gérer une piscine et un gymnase municipaux",
        "description": (
            "Vous suivrez un·e responsable d'équipements sportifs : planning des clubs et des "
            "écoles, sécurité des bassins, maintenance, gestion de l'équipe. Vous verrez comment "
            "la réglementation des établissements recevant du public s'applique au quotidien. "
            "Une journée est consacrée à une manifestation sportive."
        ),
        "themes": ["sport", "patrimoine"],
        "skills": ["spo-equipements", "pat-erp", "management"],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": "Équipements accessibles PMR ; horaires décalés possibles (soir et samedi).",
        "tutor": {
            "name": "Ousmane Camara",
            "role": "Responsable d'équipements sportifs",
        },
        "session_days": [2, 3],
        "capacity": 1,
    },
    # --- Département de la Gironde -------------------------------------------------------
    {
        "org": "departement-gironde",
        "team": "Direction des politiques d'inclusion et d'insertion",
        "title": "Accompagner les allocataires du RSA vers l'emploi",
        "description": (
            "Vous suivrez des référent·es d'insertion dans leur travail d'accompagnement des "
            "allocataires du RSA. Vous assisterez à des entretiens, à un forum emploi et à une "
            "équipe pluridisciplinaire. Vous verrez comment le Département travaille avec France "
            "Travail et les structures d'insertion par l'activité économique."
        ),
        "themes": ["social", "emploi"],
        "skills": ["soc-insertion", "emp-accompagnement", "partenariat"],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": "Maison départementale des solidarités accessible PMR.",
        "tutor": {"name": "Jessica Hoarau", "role": "Référente d'insertion"},
        "session_days": [3, 5],
        "capacity": 1,
    },
    {
        "org": "departement-gironde",
        "team": "Direction de la protection de l'enfance et de la famille",
        "title": "Protection maternelle et infantile : une semaine en maison des solidarités",
        "description": (
            "Vous découvrirez les missions de la PMI : consultations de nourrissons, visites à "
            "domicile, agrément des assistant·es maternel·les. Vous participerez à une "
            "permanence de puériculture et à un atelier parents-enfants. Vous verrez comment "
            "la PMI repère et prévient les difficultés."
        ),
        "themes": ["sante", "petite-enfance"],
        "skills": ["san-pmi", "pe-parentalite", "pe-agrement"],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": "Locaux accessibles PMR ; certificat de vaccinations à jour demandé.",
        "tutor": {"name": "Myriam Cohen", "role": "Puéricultrice de PMI"},
        "session_days": [2, 3],
        "capacity": 1,
    },
    {
        "org": "departement-gironde",
        "team": "Direction de l'environnement",
        "title": "Espaces naturels sensibles : préserver et ouvrir au public",
        "description": (
            "Vous accompagnerez les garde-nature sur des espaces naturels sensibles du "
            "département : suivi d'espèces, entretien des sentiers, accueil du public. Vous "
            "verrez comment un plan de gestion concilie protection de la biodiversité et "
            "fréquentation. Une sortie nature avec des scolaires est au programme."
        ),
        "themes": ["environnement", "espaces-verts"],
        "skills": ["env-biodiversite", "env-sensibilisation", "ev-entretien"],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": (
            "Activités en milieu naturel, non accessibles en fauteuil roulant ; tenue d'extérieur conseillée."
        ),
        "tutor": {
            "name": "Loïc Grondin",
            "role": "Garde-animateur des espaces naturels",
        },
        "session_days": [2, 3],
        "capacity": 2,
    },
    {
        "org": "departement-gironde",
        "team": "Direction des ressources humaines",
        "title": "Recruter autrement : mises en situation et marque employeur",
        "description": (
            "Le Département expérimente de nouvelles façons de recruter sur des métiers en "
            "tension. Vous participerez à la rédaction d'une offre d'emploi, à un jury avec mise "
            "en situation et à un point sur la gestion prévisionnelle des emplois. Vous verrez "
            "comment la marque employeur se construit avec les agent·es."
        ),
        "themes": ["rh", "communication"],
        "skills": ["rh-recrutement", "rh-gpeec", "com-redaction"],
        "prerequisites": [],
        "place": "hybrid",
        "accessibility": "Bureaux accessibles PMR ; entretiens en présentiel, préparation possible à distance.",
        "tutor": {"name": "Agathe Meyer", "role": "Responsable du pôle recrutement"},
        "session_days": [2, 3],
        "capacity": 2,
    },
    # --- Région Centre-Val de Loire ------------------------------------------------------
    {
        "org": "region-centre-val-de-loire",
        "team": "Direction de l'Europe et de l'international",
        "title": "Instruire un dossier FEDER, de la candidature au paiement",
        "description": (
            "La Région est autorité de gestion des fonds européens. Vous suivrez à distance "
            "l'instruction d'un dossier FEDER : recevabilité, analyse, comité de programmation, "
            "contrôle des dépenses. Des échanges quotidiens en visioconférence avec l'équipe "
            "rythment la semaine. Vous découvrirez aussi la veille sur les appels à projets "
            "européens."
        ),
        "themes": ["europe", "finances"],
        "skills": ["eur-fonds", "fin-subventions", "eur-appels-projets"],
        "prerequisites": [("note-administrative", 2)],
        "place": "remote",
        "accessibility": "Immersion à distance ; outils de visioconférence avec sous-titrage automatique.",
        "tutor": {"name": "Julien Kowalski", "role": "Instructeur des fonds européens"},
        "session_days": [3, 5],
        "capacity": 2,
    },
    {
        "org": "region-centre-val-de-loire",
        "team": "Direction des transports et de la mobilité durable",
        "title": "Organiser les transports scolaires et interurbains",
        "description": (
            "La Région organise les transports scolaires et les lignes interurbaines de car. Vous "
            "verrez comment les circuits sont construits, comment les inscriptions sont gérées et "
            "comment les réclamations sont traitées avec les transporteurs. Vous participerez à "
            "un comité de ligne avec les communes."
        ),
        "themes": ["mobilites"],
        "skills": ["mob-transport-scolaire", "mob-transport-public", "partenariat"],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": "Hôtel de Région accessible PMR.",
        "tutor": {
            "name": "Paul Schmitt",
            "role": "Responsable des transports scolaires",
        },
        "session_days": [2, 3],
        "capacity": 1,
    },
    {
        "org": "region-centre-val-de-loire",
        "team": "Direction de la formation professionnelle",
        "title": "Construire l'offre de formation des demandeur·ses d'emploi",
        "description": (
            "Vous découvrirez comment la Région repère les besoins en compétences des entreprises "
            "et construit son offre de formation. Vous participerez à une réunion avec les "
            "branches professionnelles, à l'analyse d'un appel d'offres de formation et à une "
            "visite d'organisme. Vous verrez le lien avec l'orientation et l'apprentissage."
        ),
        "themes": ["emploi"],
        "skills": ["emp-formation-pro", "emp-orientation", "emp-apprentissage"],
        "prerequisites": [],
        "place": "hybrid",
        "accessibility": "Bureaux accessibles PMR ; déplacements en région possibles.",
        "tutor": {
            "name": "Chiara Bianchi",
            "role": "Chargée de mission formation professionnelle",
        },
        "session_days": [3, 5],
        "capacity": 1,
    },
    {
        "org": "region-centre-val-de-loire",
        "team": "Direction des lycées",
        "title": "Restauration durable dans les lycées",
        "description": (
            "La Région accompagne les cuisines des lycées vers des produits locaux et de qualité. "
            "Vous passerez une journée dans la cuisine d'un lycée, puis vous suivrez l'équipe "
            "régionale dans le suivi des objectifs EGalim et la lutte contre le gaspillage. "
            "Vous verrez comment les menus sont construits avec les chef·fes de cuisine."
        ),
        "themes": ["restauration", "education"],
        "skills": ["res-egalim", "res-menus", "res-haccp"],
        "prerequisites": [],
        "place": "on_site",
        "accessibility": "Lycée accessible PMR ; tenue de cuisine fournie.",
        "tutor": {
            "name": "Benoît Tran",
            "role": "Chargé de mission restauration des lycées",
        },
        "session_days": [2, 3],
        "capacity": 1,
    },
]

MOTIVATIONS = [
    (
        "Je travaille à l'accueil social depuis huit ans et je voudrais voir comment une autre organisation accompagne"
        " les mêmes publics. J'espère en rapporter des idées pour mon équipe."
    ),
    (
        "J'envisage une mobilité vers l'urbanisme et je veux vérifier que ce métier me correspond avant de me lancer "
        "dans une formation."
    ),
    (
        "Notre collectivité lance un plan climat. Voir une équipe qui en pilote un depuis plusieurs années m'aiderait "
        "beaucoup."
    ),
    (
        "Je suis gestionnaire paie et je ne connais le terrain que par les fiches de paie. Je voudrais comprendre le "
        "quotidien des agent·es que je gère."
    ),
    (
        "Après quinze ans dans le même service, j'ai besoin de prendre du recul et de découvrir d'autres façons de "
        "travailler."
    ),
    (
        "Je prépare le concours d'attaché·e et je souhaite découvrir un métier d'encadrement dans un autre domaine que"
        " le mien."
    ),
    (
        "Nous refondons nos démarches en ligne. J'aimerais voir comment une autre équipe associe les usager·es à la "
        "conception."
    ),
    (
        "Je travaille avec ce service sans l'avoir jamais vu fonctionner de l'intérieur. L'immersion nous aiderait à "
        "mieux nous coordonner."
    ),
    (
        "Suite à un problème de santé, je dois envisager une reconversion. Une immersion me permettrait de tester un "
        "nouveau métier en douceur."
    ),
    "J'aimerais voir comment une grande ville organise ce que nous faisons à petite échelle dans ma commune.",
    (
        "Je viens de prendre la responsabilité d'une équipe et je veux observer un·e manager expérimenté·e dans un "
        "contexte différent."
    ),
    (
        "Mon service va reprendre cette compétence l'an prochain. Je voudrais apprendre auprès de collègues qui "
        "l'exercent déjà."
    ),
    "J'aime le contact avec le public et je voudrais découvrir un métier d'accueil dans une autre institution.",
    "Je souhaite comprendre le fonctionnement d'une Carsat pour mieux orienter les personnes âgées que j'accompagne.",
    (
        "Travaillant en bureau d'études, je voudrais passer quelques jours sur le terrain avec les équipes qui "
        "réalisent les travaux."
    ),
    "Je m'intéresse à la participation citoyenne et j'aimerais voir comment elle est organisée dans une métropole.",
    (
        "Les marchés publics sont une part croissante de mon travail : j'ai besoin de voir une procédure complète de "
        "l'intérieur."
    ),
    (
        "Je veux découvrir la protection de l'enfance avant de postuler sur un poste de travailleur·se social·e au "
        "Département."
    ),
    (
        "Une immersion serait pour moi une façon de retrouver de la motivation et de rencontrer des collègues d'autres"
        " collectivités."
    ),
    (
        "Je suis en charge de la prévention des risques professionnels et je souhaite comparer nos pratiques avec "
        "celles d'une autre structure."
    ),
    (
        "Nous lançons une analyse des besoins sociaux. J'aimerais apprendre la méthode auprès d'une équipe qui l'a "
        "déjà menée."
    ),
    (
        "Je travaille dans un service technique et je voudrais découvrir l'envers du décor : comment les chantiers "
        "sont programmés et suivis."
    ),
    (
        "J'aimerais comprendre comment une bibliothèque devient un lieu d'inclusion numérique, pour m'en inspirer dans"
        " notre médiathèque."
    ),
    (
        "Mon poste évolue vers l'analyse de données. Je souhaite voir comment d'autres services exploitent leurs "
        "données au quotidien."
    ),
    "Je souhaite découvrir les fonds européens : notre collectivité les sollicite peu faute de compétences en interne.",
    (
        "Je travaille en crèche depuis dix ans et je voudrais voir un autre projet d'établissement pour faire évoluer "
        "le nôtre."
    ),
    (
        "J'ai envie de sortir de mon territoire et de voir comment les mêmes politiques publiques sont menées ailleurs"
        " en France."
    ),
    (
        "Je suis en situation de handicap et je voudrais vérifier qu'un poste de terrain reste possible pour moi avec "
        "des aménagements."
    ),
    "Je voudrais mieux comprendre le rôle de la Région pour conseiller les jeunes que j'accompagne vers la formation.",
    (
        "L'immersion me permettrait de préparer un projet commun avec la structure d'accueil, avec qui nous échangeons"
        " déjà."
    ),
]

REFUSAL_REASONS = [
    "Continuité du service : l'équipe est déjà réduite sur cette période (congés et postes vacants).",
    "La période demandée tombe pendant un pic d'activité du service ; merci de proposer d'autres dates.",
    "Le quota de jours d'immersion disponible sur trois ans est presque atteint ; il faut réduire la durée.",
    "Une formation obligatoire est prévue pour l'agent·e sur les mêmes dates.",
    (
        "Le lien avec le projet professionnel n'est pas assez précisé ; un échange avec votre responsable est "
        "nécessaire avant une nouvelle demande."
    ),
    "Report demandé : la demande pourra être acceptée après la fin de la réorganisation du service.",
    "Les frais de déplacement vers la structure d'accueil ne peuvent pas être pris en charge sur l'exercice en cours.",
]
