"""Controlled vocabulary of mobilite: themes (job families), skills, levels, organisation kinds.

Pure data. The themes follow the job families ("familles de métiers") of the CNFPT
*Répertoire des métiers territoriaux*, grouped as in its 2019 edition; the family
"Protection sociale et retraite" comes from the RMFP (Répertoire des métiers de la
fonction publique, DGAFP) so that the CARSAT's jobs have a home. Skills are concrete
activities taken from the job sheets of those references, written as short verbs.

Codes are lowercase ASCII slugs. They are stable: never rename one, add a new one.
Skill codes start with a short prefix of their theme, except the transversal skills
(theme "transversal"), which have no prefix.
"""

REFERENCE = (
    "CNFPT, Répertoire des métiers territoriaux (édition 2019, familles de métiers), "
    "complété par le RMFP de la DGAFP pour la protection sociale"
)

THEMES = [
    # Organisation et gestion des ressources
    {
        "code": "affaires-generales",
        "label_fr": "Affaires générales",
        "label_en": "General administration",
    },
    {"code": "finances", "label_fr": "Finances", "label_en": "Finance"},
    {"code": "rh", "label_fr": "Ressources humaines", "label_en": "Human resources"},
    {
        "code": "numerique",
        "label_fr": "Systèmes d'information et numérique",
        "label_en": "Information systems and digital",
    },
    {
        "code": "juridique",
        "label_fr": "Affaires juridiques et commande publique",
        "label_en": "Legal affairs and public procurement",
    },
    {"code": "communication", "label_fr": "Communication", "label_en": "Communication"},
    {
        "code": "logistique",
        "label_fr": "Logistique et moyens généraux",
        "label_en": "Logistics and facilities",
    },
    # Social, santé publique
    {"code": "social", "label_fr": "Action sociale", "label_en": "Social services"},
    {"code": "sante", "label_fr": "Santé", "label_en": "Public health"},
    {
        "code": "petite-enfance",
        "label_fr": "Petite enfance et famille",
        "label_en": "Early childhood and family",
    },
    {
        "code": "protection-sociale",
        "label_fr": "Protection sociale et retraite",
        "label_en": "Social security and pensions",
    },
    # Citoyenneté, éducation, culture et sport
    {
        "code": "citoyennete",
        "label_fr": "Citoyenneté et population",
        "label_en": "Citizenship and civil registry",
    },
    {
        "code": "education",
        "label_fr": "Éducation et animation",
        "label_en": "Education and youth activities",
    },
    {"code": "culture", "label_fr": "Culture", "label_en": "Culture"},
    {"code": "sport", "label_fr": "Sport", "label_en": "Sport"},
    {
        "code": "restauration",
        "label_fr": "Restauration collective",
        "label_en": "Catering",
    },
    # Aménagement et développement durable des territoires
    {
        "code": "urbanisme",
        "label_fr": "Urbanisme et aménagement",
        "label_en": "Urban planning and development",
    },
    {"code": "habitat", "label_fr": "Habitat et logement", "label_en": "Housing"},
    {
        "code": "mobilites",
        "label_fr": "Mobilités et transports",
        "label_en": "Mobility and transport",
    },
    {
        "code": "dev-eco",
        "label_fr": "Développement économique",
        "label_en": "Economic development",
    },
    {
        "code": "emploi",
        "label_fr": "Emploi et insertion professionnelle",
        "label_en": "Employment and job integration",
    },
    {
        "code": "europe",
        "label_fr": "Europe et international",
        "label_en": "Europe and international affairs",
    },
    # Services techniques et environnement
    {
        "code": "patrimoine",
        "label_fr": "Patrimoine bâti",
        "label_en": "Public buildings",
    },
    {
        "code": "voirie",
        "label_fr": "Voirie et infrastructures",
        "label_en": "Roads and infrastructure",
    },
    {
        "code": "environnement",
        "label_fr": "Environnement et transition écologique",
        "label_en": "Environment and ecological transition",
    },
    {
        "code": "espaces-verts",
        "label_fr": "Espaces verts et paysage",
        "label_en": "Green spaces and landscape",
    },
    {
        "code": "eau",
        "label_fr": "Eau et assainissement",
        "label_en": "Water and sanitation",
    },
    {
        "code": "dechets",
        "label_fr": "Propreté et déchets",
        "label_en": "Street cleaning and waste",
    },
    # Sécurité
    {
        "code": "securite",
        "label_fr": "Prévention et sécurité",
        "label_en": "Prevention and public safety",
    },
    # Référentiel management et compétences transverses
    {
        "code": "transversal",
        "label_fr": "Management et transversal",
        "label_en": "Management and cross-cutting skills",
    },
]

SKILLS = [
    # Affaires générales
    {
        "code": "ag-courrier",
        "theme": "affaires-generales",
        "label_fr": "Gérer le courrier et les circuits de signature",
        "label_en": "Handle mail and signature workflows",
    },
    {
        "code": "ag-assemblees",
        "theme": "affaires-generales",
        "label_fr": "Préparer les séances du conseil et les délibérations",
        "label_en": "Prepare council meetings and resolutions",
    },
    {
        "code": "ag-actes",
        "theme": "affaires-generales",
        "label_fr": "Rédiger des actes administratifs (arrêtés, décisions)",
        "label_en": "Draft administrative acts (orders, decisions)",
    },
    {
        "code": "ag-archives",
        "theme": "affaires-generales",
        "label_fr": "Organiser l'archivage courant et intermédiaire",
        "label_en": "Organise records management and archiving",
    },
    {
        "code": "ag-secretariat",
        "theme": "affaires-generales",
        "label_fr": "Assurer le secrétariat d'une direction",
        "label_en": "Provide secretarial support to a department",
    },
    # Finances
    {
        "code": "fin-budget",
        "theme": "finances",
        "label_fr": "Élaborer un budget",
        "label_en": "Prepare a budget",
    },
    {
        "code": "fin-execution",
        "theme": "finances",
        "label_fr": "Exécuter le budget (engagements, mandats, titres)",
        "label_en": "Execute the budget (commitments, payment and revenue orders)",
    },
    {
        "code": "fin-analyse",
        "theme": "finances",
        "label_fr": "Réaliser une analyse financière prospective",
        "label_en": "Carry out financial analysis and forecasting",
    },
    {
        "code": "fin-dette",
        "theme": "finances",
        "label_fr": "Gérer la dette et la trésorerie",
        "label_en": "Manage debt and cash",
    },
    {
        "code": "fin-controle-gestion",
        "theme": "finances",
        "label_fr": "Mettre en place des outils de contrôle de gestion",
        "label_en": "Set up management control tools",
    },
    {
        "code": "fin-subventions",
        "theme": "finances",
        "label_fr": "Rechercher et suivre des subventions",
        "label_en": "Seek and monitor grants",
    },
    # Ressources humaines
    {
        "code": "rh-paie",
        "theme": "rh",
        "label_fr": "Gérer la paie",
        "label_en": "Run the payroll",
    },
    {
        "code": "rh-carriere",
        "theme": "rh",
        "label_fr": "Gérer les carrières selon le statut",
        "label_en": "Manage careers under the civil service statute",
    },
    {
        "code": "rh-recrutement",
        "theme": "rh",
        "label_fr": "Conduire un recrutement",
        "label_en": "Run a recruitment",
    },
    {
        "code": "rh-formation",
        "theme": "rh",
        "label_fr": "Élaborer un plan de formation",
        "label_en": "Build a training plan",
    },
    {
        "code": "rh-gpeec",
        "theme": "rh",
        "label_fr": "Piloter la gestion prévisionnelle des emplois et des compétences",
        "label_en": "Lead strategic workforce and skills planning",
    },
    {
        "code": "rh-qvt",
        "theme": "rh",
        "label_fr": "Prévenir les risques professionnels et améliorer la qualité de vie au travail",
        "label_en": "Prevent occupational risks and improve wellbeing at work",
    },
    {
        "code": "rh-dialogue-social",
        "theme": "rh",
        "label_fr": "Préparer les instances du dialogue social",
        "label_en": "Prepare social dialogue bodies",
    },
    {
        "code": "rh-mobilite",
        "theme": "rh",
        "label_fr": "Accompagner un agent dans son évolution professionnelle",
        "label_en": "Support an employee's career development",
    },
    # Systèmes d'information et numérique
    {
        "code": "num-projet",
        "theme": "numerique",
        "label_fr": "Gérer un projet numérique",
        "label_en": "Manage a digital project",
    },
    {
        "code": "num-support",
        "theme": "numerique",
        "label_fr": "Assurer le support aux utilisateurs",
        "label_en": "Provide user support",
    },
    {
        "code": "num-infra",
        "theme": "numerique",
        "label_fr": "Administrer les réseaux et les serveurs",
        "label_en": "Administer networks and servers",
    },
    {
        "code": "num-securite",
        "theme": "numerique",
        "label_fr": "Appliquer la sécurité des systèmes d'information",
        "label_en": "Apply information systems security",
    },
    {
        "code": "num-donnees",
        "theme": "numerique",
        "label_fr": "Administrer des données et les ouvrir en open data",
        "label_en": "Manage data and publish it as open data",
    },
    {
        "code": "num-sig",
        "theme": "numerique",
        "label_fr": "Produire des cartes avec un SIG",
        "label_en": "Produce maps with a GIS",
    },
    {
        "code": "num-dev",
        "theme": "numerique",
        "label_fr": "Développer une application ou un site web",
        "label_en": "Develop an application or a website",
    },
    {
        "code": "num-service-en-ligne",
        "theme": "numerique",
        "label_fr": "Concevoir un service en ligne centré sur l'usager",
        "label_en": "Design a user-centred online service",
    },
    # Affaires juridiques et commande publique
    {
        "code": "jur-conseil",
        "theme": "juridique",
        "label_fr": "Apporter un conseil juridique aux services",
        "label_en": "Provide legal advice to departments",
    },
    {
        "code": "jur-marche",
        "theme": "juridique",
        "label_fr": "Piloter un marché public",
        "label_en": "Run a public procurement contract",
    },
    {
        "code": "jur-dce",
        "theme": "juridique",
        "label_fr": "Rédiger un dossier de consultation des entreprises",
        "label_en": "Draft tender documents",
    },
    {
        "code": "jur-analyse-offres",
        "theme": "juridique",
        "label_fr": "Analyser les offres des candidats",
        "label_en": "Evaluate tenders",
    },
    {
        "code": "jur-contentieux",
        "theme": "juridique",
        "label_fr": "Gérer un contentieux",
        "label_en": "Handle litigation",
    },
    {
        "code": "jur-rgpd",
        "theme": "juridique",
        "label_fr": "Appliquer le RGPD",
        "label_en": "Apply the GDPR",
    },
    {
        "code": "jur-achat-responsable",
        "theme": "juridique",
        "label_fr": "Intégrer des critères sociaux et environnementaux aux achats",
        "label_en": "Build social and environmental criteria into purchasing",
    },
    # Communication
    {
        "code": "com-redaction",
        "theme": "communication",
        "label_fr": "Rédiger pour le web et les supports imprimés",
        "label_en": "Write for the web and for print",
    },
    {
        "code": "com-reseaux-sociaux",
        "theme": "communication",
        "label_fr": "Animer les réseaux sociaux",
        "label_en": "Manage social media",
    },
    {
        "code": "com-evenementiel",
        "theme": "communication",
        "label_fr": "Organiser un événement",
        "label_en": "Organise an event",
    },
    {
        "code": "com-presse",
        "theme": "communication",
        "label_fr": "Gérer les relations presse",
        "label_en": "Manage press relations",
    },
    {
        "code": "com-interne",
        "theme": "communication",
        "label_fr": "Piloter la communication interne",
        "label_en": "Lead internal communication",
    },
    {
        "code": "com-graphisme",
        "theme": "communication",
        "label_fr": "Réaliser des supports graphiques",
        "label_en": "Produce graphic materials",
    },
    {
        "code": "com-falc",
        "theme": "communication",
        "label_fr": "Rédiger en langage clair (FALC)",
        "label_en": "Write in plain, easy-to-read language",
    },
    # Logistique et moyens généraux
    {
        "code": "log-parc-auto",
        "theme": "logistique",
        "label_fr": "Gérer un parc de véhicules",
        "label_en": "Manage a vehicle fleet",
    },
    {
        "code": "log-magasin",
        "theme": "logistique",
        "label_fr": "Gérer un magasin et les stocks",
        "label_en": "Manage a store and its stock",
    },
    {
        "code": "log-evenements",
        "theme": "logistique",
        "label_fr": "Assurer la logistique d'un événement",
        "label_en": "Handle event logistics",
    },
    # Action sociale
    {
        "code": "soc-accueil",
        "theme": "social",
        "label_fr": "Conduire un entretien d'accueil social",
        "label_en": "Conduct a social intake interview",
    },
    {
        "code": "soc-aides",
        "theme": "social",
        "label_fr": "Instruire une demande d'aide sociale",
        "label_en": "Process a social assistance application",
    },
    {
        "code": "soc-insertion",
        "theme": "social",
        "label_fr": "Accompagner une personne dans un parcours d'insertion (RSA)",
        "label_en": "Support a person through an integration pathway (minimum income)",
    },
    {
        "code": "soc-domiciliation",
        "theme": "social",
        "label_fr": "Domicilier et accompagner les personnes sans domicile stable",
        "label_en": "Provide a postal address and support to homeless people",
    },
    {
        "code": "soc-autonomie",
        "theme": "social",
        "label_fr": "Évaluer la perte d'autonomie d'une personne âgée (APA)",
        "label_en": "Assess an elderly person's loss of autonomy",
    },
    {
        "code": "soc-handicap",
        "theme": "social",
        "label_fr": "Accompagner les personnes en situation de handicap",
        "label_en": "Support people with disabilities",
    },
    {
        "code": "soc-abs",
        "theme": "social",
        "label_fr": "Réaliser une analyse des besoins sociaux",
        "label_en": "Carry out a social needs analysis",
    },
    {
        "code": "soc-protection-enfance",
        "theme": "social",
        "label_fr": "Évaluer une information préoccupante (protection de l'enfance)",
        "label_en": "Assess a child-protection referral",
    },
    {
        "code": "soc-ehpad",
        "theme": "social",
        "label_fr": "Accompagner la vie quotidienne en établissement pour personnes âgées",
        "label_en": "Support daily life in a care home for the elderly",
    },
    # Santé
    {
        "code": "san-prevention",
        "theme": "sante",
        "label_fr": "Concevoir une action de prévention santé",
        "label_en": "Design a health prevention action",
    },
    {
        "code": "san-vaccination",
        "theme": "sante",
        "label_fr": "Organiser une séance de vaccination",
        "label_en": "Organise a vaccination session",
    },
    {
        "code": "san-hygiene",
        "theme": "sante",
        "label_fr": "Contrôler l'hygiène et la salubrité",
        "label_en": "Inspect hygiene and sanitation",
    },
    {
        "code": "san-pmi",
        "theme": "sante",
        "label_fr": "Assurer une consultation de PMI",
        "label_en": "Run a maternal and child health consultation",
    },
    {
        "code": "san-cls",
        "theme": "sante",
        "label_fr": "Coordonner un contrat local de santé",
        "label_en": "Coordinate a local health contract",
    },
    {
        "code": "san-sante-environnement",
        "theme": "sante",
        "label_fr": "Agir sur la santé environnementale (air intérieur, bruit)",
        "label_en": "Act on environmental health (indoor air, noise)",
    },
    # Petite enfance et famille
    {
        "code": "pe-accueil-enfant",
        "theme": "petite-enfance",
        "label_fr": "Accueillir un jeune enfant en crèche",
        "label_en": "Care for a young child in a nursery",
    },
    {
        "code": "pe-agrement",
        "theme": "petite-enfance",
        "label_fr": "Instruire l'agrément des assistant·es maternel·les",
        "label_en": "Process childminder approvals",
    },
    {
        "code": "pe-relais",
        "theme": "petite-enfance",
        "label_fr": "Animer un relais petite enfance",
        "label_en": "Run an early childhood information centre",
    },
    {
        "code": "pe-projet",
        "theme": "petite-enfance",
        "label_fr": "Élaborer un projet d'établissement d'accueil du jeune enfant",
        "label_en": "Write a nursery's educational project",
    },
    {
        "code": "pe-parentalite",
        "theme": "petite-enfance",
        "label_fr": "Soutenir la parentalité",
        "label_en": "Support parenting",
    },
    {
        "code": "pe-attribution",
        "theme": "petite-enfance",
        "label_fr": "Gérer les demandes et attributions de places en crèche",
        "label_en": "Manage nursery applications and allocations",
    },
    # Protection sociale et retraite
    {
        "code": "ps-retraite",
        "theme": "protection-sociale",
        "label_fr": "Instruire un dossier de retraite",
        "label_en": "Process a pension claim",
    },
    {
        "code": "ps-carriere",
        "theme": "protection-sociale",
        "label_fr": "Régulariser un relevé de carrière",
        "label_en": "Correct a career record",
    },
    {
        "code": "ps-prevention-pro",
        "theme": "protection-sociale",
        "label_fr": "Prévenir les risques professionnels en entreprise",
        "label_en": "Prevent occupational risks in companies",
    },
    {
        "code": "ps-tarification",
        "theme": "protection-sociale",
        "label_fr": "Tarifer les accidents du travail et maladies professionnelles",
        "label_en": "Set rates for work accidents and occupational diseases",
    },
    {
        "code": "ps-service-social",
        "theme": "protection-sociale",
        "label_fr": "Accompagner un assuré fragilisé par la maladie ou l'âge",
        "label_en": "Support an insured person weakened by illness or age",
    },
    {
        "code": "ps-accueil",
        "theme": "protection-sociale",
        "label_fr": "Accueillir et informer les assurés",
        "label_en": "Welcome and inform insured persons",
    },
    {
        "code": "ps-bien-vieillir",
        "theme": "protection-sociale",
        "label_fr": "Animer une action de prévention « bien vieillir »",
        "label_en": "Run a healthy-ageing prevention action",
    },
    # Citoyenneté et population
    {
        "code": "cit-etat-civil",
        "theme": "citoyennete",
        "label_fr": "Établir des actes d'état civil",
        "label_en": "Draw up civil status records",
    },
    {
        "code": "cit-elections",
        "theme": "citoyennete",
        "label_fr": "Organiser des élections",
        "label_en": "Organise elections",
    },
    {
        "code": "cit-titres",
        "theme": "citoyennete",
        "label_fr": "Instruire les demandes de titres d'identité",
        "label_en": "Process identity document applications",
    },
    {
        "code": "cit-accueil",
        "theme": "citoyennete",
        "label_fr": "Accueillir le public dans un guichet unique",
        "label_en": "Welcome the public at a one-stop desk",
    },
    {
        "code": "cit-participation",
        "theme": "citoyennete",
        "label_fr": "Animer une démarche de participation citoyenne",
        "label_en": "Run a citizen participation process",
    },
    {
        "code": "cit-vie-associative",
        "theme": "citoyennete",
        "label_fr": "Accompagner les associations",
        "label_en": "Support local associations",
    },
    # Éducation et animation
    {
        "code": "edu-periscolaire",
        "theme": "education",
        "label_fr": "Organiser l'accueil périscolaire",
        "label_en": "Organise out-of-school care",
    },
    {
        "code": "edu-animation",
        "theme": "education",
        "label_fr": "Concevoir une animation pour enfants ou jeunes",
        "label_en": "Design an activity for children or young people",
    },
    {
        "code": "edu-pedt",
        "theme": "education",
        "label_fr": "Piloter un projet éducatif de territoire",
        "label_en": "Lead a local educational project",
    },
    {
        "code": "edu-inscriptions",
        "theme": "education",
        "label_fr": "Gérer les inscriptions scolaires et la sectorisation",
        "label_en": "Manage school enrolment and catchment areas",
    },
    {
        "code": "edu-jeunesse",
        "theme": "education",
        "label_fr": "Accompagner les projets de jeunes",
        "label_en": "Support young people's projects",
    },
    {
        "code": "edu-etablissements",
        "theme": "education",
        "label_fr": "Suivre le fonctionnement des collèges et des lycées",
        "label_en": "Oversee the running of secondary schools",
    },
    # Culture
    {
        "code": "cul-mediation",
        "theme": "culture",
        "label_fr": "Concevoir une action de médiation culturelle",
        "label_en": "Design a cultural outreach activity",
    },
    {
        "code": "cul-lecture-publique",
        "theme": "culture",
        "label_fr": "Animer une bibliothèque ou une médiathèque",
        "label_en": "Run a public library",
    },
    {
        "code": "cul-programmation",
        "theme": "culture",
        "label_fr": "Programmer une saison culturelle",
        "label_en": "Programme a cultural season",
    },
    {
        "code": "cul-patrimoine",
        "theme": "culture",
        "label_fr": "Valoriser le patrimoine et les collections",
        "label_en": "Showcase heritage and collections",
    },
    {
        "code": "cul-archives",
        "theme": "culture",
        "label_fr": "Conserver et communiquer des archives historiques",
        "label_en": "Preserve and share historical archives",
    },
    {
        "code": "cul-eac",
        "theme": "culture",
        "label_fr": "Piloter l'éducation artistique et culturelle",
        "label_en": "Lead arts and cultural education",
    },
    # Sport
    {
        "code": "spo-equipements",
        "theme": "sport",
        "label_fr": "Gérer un équipement sportif",
        "label_en": "Manage a sports facility",
    },
    {
        "code": "spo-encadrement",
        "theme": "sport",
        "label_fr": "Encadrer une activité physique et sportive",
        "label_en": "Lead a sports activity",
    },
    {
        "code": "spo-clubs",
        "theme": "sport",
        "label_fr": "Accompagner les clubs et les événements sportifs",
        "label_en": "Support sports clubs and events",
    },
    {
        "code": "spo-sport-sante",
        "theme": "sport",
        "label_fr": "Développer le sport-santé",
        "label_en": "Develop sport for health",
    },
    # Restauration collective
    {
        "code": "res-production",
        "theme": "restauration",
        "label_fr": "Produire des repas en cuisine centrale",
        "label_en": "Produce meals in a central kitchen",
    },
    {
        "code": "res-haccp",
        "theme": "restauration",
        "label_fr": "Appliquer les règles d'hygiène alimentaire (HACCP)",
        "label_en": "Apply food hygiene rules (HACCP)",
    },
    {
        "code": "res-menus",
        "theme": "restauration",
        "label_fr": "Élaborer des menus équilibrés",
        "label_en": "Design balanced menus",
    },
    {
        "code": "res-egalim",
        "theme": "restauration",
        "label_fr": "Développer les approvisionnements durables (loi EGalim)",
        "label_en": "Develop sustainable food sourcing (EGalim law)",
    },
    # Urbanisme et aménagement
    {
        "code": "urb-permis",
        "theme": "urbanisme",
        "label_fr": "Instruire un permis de construire",
        "label_en": "Process a building permit",
    },
    {
        "code": "urb-plu",
        "theme": "urbanisme",
        "label_fr": "Élaborer ou modifier un plan local d'urbanisme (PLU)",
        "label_en": "Draft or amend a local urban plan",
    },
    {
        "code": "urb-foncier",
        "theme": "urbanisme",
        "label_fr": "Conduire une opération foncière",
        "label_en": "Carry out a land transaction",
    },
    {
        "code": "urb-amenagement",
        "theme": "urbanisme",
        "label_fr": "Piloter une opération d'aménagement",
        "label_en": "Lead an urban development project",
    },
    {
        "code": "urb-renouvellement",
        "theme": "urbanisme",
        "label_fr": "Conduire un projet de renouvellement urbain",
        "label_en": "Lead an urban renewal project",
    },
    {
        "code": "urb-politique-ville",
        "theme": "urbanisme",
        "label_fr": "Animer le contrat de ville",
        "label_en": "Coordinate the urban policy contract",
    },
    {
        "code": "urb-conformite",
        "theme": "urbanisme",
        "label_fr": "Contrôler la conformité des travaux",
        "label_en": "Check the compliance of building works",
    },
    # Habitat et logement
    {
        "code": "hab-attribution",
        "theme": "habitat",
        "label_fr": "Préparer une commission d'attribution de logements sociaux",
        "label_en": "Prepare a social housing allocation committee",
    },
    {
        "code": "hab-renovation",
        "theme": "habitat",
        "label_fr": "Accompagner la rénovation énergétique des logements",
        "label_en": "Support the energy renovation of homes",
    },
    {
        "code": "hab-indigne",
        "theme": "habitat",
        "label_fr": "Lutter contre l'habitat indigne",
        "label_en": "Tackle substandard housing",
    },
    {
        "code": "hab-plh",
        "theme": "habitat",
        "label_fr": "Piloter un programme local de l'habitat",
        "label_en": "Lead a local housing programme",
    },
    {
        "code": "hab-hebergement",
        "theme": "habitat",
        "label_fr": "Orienter vers l'hébergement d'urgence et le logement accompagné",
        "label_en": "Refer people to emergency shelter and supported housing",
    },
    # Mobilités et transports
    {
        "code": "mob-plan",
        "theme": "mobilites",
        "label_fr": "Élaborer un plan de mobilité",
        "label_en": "Draw up a mobility plan",
    },
    {
        "code": "mob-velo",
        "theme": "mobilites",
        "label_fr": "Développer les aménagements cyclables",
        "label_en": "Develop cycling infrastructure",
    },
    {
        "code": "mob-transport-public",
        "theme": "mobilites",
        "label_fr": "Suivre un contrat d'exploitation de transport public",
        "label_en": "Monitor a public transport operating contract",
    },
    {
        "code": "mob-transport-scolaire",
        "theme": "mobilites",
        "label_fr": "Organiser le transport scolaire",
        "label_en": "Organise school transport",
    },
    {
        "code": "mob-stationnement",
        "theme": "mobilites",
        "label_fr": "Gérer le stationnement",
        "label_en": "Manage parking",
    },
    {
        "code": "mob-employeur",
        "theme": "mobilites",
        "label_fr": "Animer un plan de mobilité employeur",
        "label_en": "Run an employer travel plan",
    },
    # Développement économique
    {
        "code": "eco-entreprises",
        "theme": "dev-eco",
        "label_fr": "Accompagner les entreprises du territoire",
        "label_en": "Support local businesses",
    },
    {
        "code": "eco-commerce",
        "theme": "dev-eco",
        "label_fr": "Dynamiser le commerce de proximité",
        "label_en": "Revitalise local shops",
    },
    {
        "code": "eco-ess",
        "theme": "dev-eco",
        "label_fr": "Développer l'économie sociale et solidaire",
        "label_en": "Develop the social and solidarity economy",
    },
    {
        "code": "eco-attractivite",
        "theme": "dev-eco",
        "label_fr": "Promouvoir l'attractivité du territoire",
        "label_en": "Promote the area's attractiveness",
    },
    {
        "code": "eco-tourisme",
        "theme": "dev-eco",
        "label_fr": "Développer l'offre touristique",
        "label_en": "Develop tourism",
    },
    # Emploi et insertion professionnelle
    {
        "code": "emp-accompagnement",
        "theme": "emploi",
        "label_fr": "Accompagner des personnes vers l'emploi",
        "label_en": "Support people into employment",
    },
    {
        "code": "emp-clauses",
        "theme": "emploi",
        "label_fr": "Mettre en œuvre des clauses sociales d'insertion",
        "label_en": "Implement social integration clauses",
    },
    {
        "code": "emp-formation-pro",
        "theme": "emploi",
        "label_fr": "Piloter la formation professionnelle des demandeurs d'emploi",
        "label_en": "Lead vocational training for jobseekers",
    },
    {
        "code": "emp-orientation",
        "theme": "emploi",
        "label_fr": "Informer sur l'orientation et les métiers",
        "label_en": "Provide career and job information",
    },
    {
        "code": "emp-apprentissage",
        "theme": "emploi",
        "label_fr": "Développer l'apprentissage",
        "label_en": "Develop apprenticeships",
    },
    # Europe et international
    {
        "code": "eur-fonds",
        "theme": "europe",
        "label_fr": "Instruire un dossier de fonds européens (FEDER, FSE+)",
        "label_en": "Process a European funds application (ERDF, ESF+)",
    },
    {
        "code": "eur-cooperation",
        "theme": "europe",
        "label_fr": "Monter un projet de coopération internationale",
        "label_en": "Set up an international cooperation project",
    },
    {
        "code": "eur-appels-projets",
        "theme": "europe",
        "label_fr": "Assurer une veille sur les appels à projets européens",
        "label_en": "Monitor European calls for proposals",
    },
    # Patrimoine bâti
    {
        "code": "pat-travaux",
        "theme": "patrimoine",
        "label_fr": "Conduire une opération de travaux de bâtiment",
        "label_en": "Manage a building works project",
    },
    {
        "code": "pat-maintenance",
        "theme": "patrimoine",
        "label_fr": "Planifier la maintenance des bâtiments",
        "label_en": "Plan building maintenance",
    },
    {
        "code": "pat-energie",
        "theme": "patrimoine",
        "label_fr": "Suivre les consommations énergétiques des bâtiments",
        "label_en": "Monitor buildings' energy use",
    },
    {
        "code": "pat-erp",
        "theme": "patrimoine",
        "label_fr": "Appliquer la réglementation des ERP (incendie, accessibilité)",
        "label_en": "Apply public-building rules (fire safety, accessibility)",
    },
    {
        "code": "pat-gestion-immo",
        "theme": "patrimoine",
        "label_fr": "Gérer un parc immobilier",
        "label_en": "Manage a property portfolio",
    },
    # Voirie et infrastructures
    {
        "code": "voi-entretien",
        "theme": "voirie",
        "label_fr": "Programmer l'entretien de la voirie",
        "label_en": "Schedule road maintenance",
    },
    {
        "code": "voi-chantier",
        "theme": "voirie",
        "label_fr": "Surveiller un chantier de voirie",
        "label_en": "Supervise a road works site",
    },
    {
        "code": "voi-arretes",
        "theme": "voirie",
        "label_fr": "Rédiger des arrêtés de circulation",
        "label_en": "Draft traffic orders",
    },
    {
        "code": "voi-eclairage",
        "theme": "voirie",
        "label_fr": "Gérer l'éclairage public",
        "label_en": "Manage street lighting",
    },
    {
        "code": "voi-viabilite-hivernale",
        "theme": "voirie",
        "label_fr": "Organiser la viabilité hivernale",
        "label_en": "Organise winter road service",
    },
    # Environnement et transition écologique
    {
        "code": "env-climat",
        "theme": "environnement",
        "label_fr": "Piloter un plan climat-air-énergie territorial",
        "label_en": "Lead a local climate, air and energy plan",
    },
    {
        "code": "env-biodiversite",
        "theme": "environnement",
        "label_fr": "Préserver la biodiversité et les espaces naturels",
        "label_en": "Protect biodiversity and natural areas",
    },
    {
        "code": "env-sensibilisation",
        "theme": "environnement",
        "label_fr": "Sensibiliser le public à l'environnement",
        "label_en": "Raise public environmental awareness",
    },
    {
        "code": "env-risques",
        "theme": "environnement",
        "label_fr": "Prévenir les risques naturels et technologiques",
        "label_en": "Prevent natural and industrial hazards",
    },
    {
        "code": "env-energie",
        "theme": "environnement",
        "label_fr": "Développer les énergies renouvelables",
        "label_en": "Develop renewable energy",
    },
    {
        "code": "env-alimentation",
        "theme": "environnement",
        "label_fr": "Animer un projet alimentaire territorial",
        "label_en": "Run a local food project",
    },
    # Espaces verts et paysage
    {
        "code": "ev-entretien",
        "theme": "espaces-verts",
        "label_fr": "Entretenir les espaces verts en gestion différenciée",
        "label_en": "Maintain green spaces with differentiated management",
    },
    {
        "code": "ev-conception",
        "theme": "espaces-verts",
        "label_fr": "Concevoir un aménagement paysager",
        "label_en": "Design a landscaping project",
    },
    {
        "code": "ev-arbres",
        "theme": "espaces-verts",
        "label_fr": "Gérer le patrimoine arboré",
        "label_en": "Manage the tree stock",
    },
    {
        "code": "ev-jardins-partages",
        "theme": "espaces-verts",
        "label_fr": "Accompagner des jardins partagés",
        "label_en": "Support community gardens",
    },
    # Eau et assainissement
    {
        "code": "eau-potable",
        "theme": "eau",
        "label_fr": "Exploiter un réseau d'eau potable",
        "label_en": "Operate a drinking water network",
    },
    {
        "code": "eau-epuration",
        "theme": "eau",
        "label_fr": "Exploiter une station d'épuration",
        "label_en": "Operate a wastewater treatment plant",
    },
    {
        "code": "eau-gemapi",
        "theme": "eau",
        "label_fr": "Gérer les milieux aquatiques et prévenir les inondations (GEMAPI)",
        "label_en": "Manage aquatic environments and prevent floods",
    },
    {
        "code": "eau-anc",
        "theme": "eau",
        "label_fr": "Contrôler les installations d'assainissement non collectif",
        "label_en": "Inspect individual sanitation systems",
    },
    {
        "code": "eau-qualite",
        "theme": "eau",
        "label_fr": "Analyser la qualité de l'eau",
        "label_en": "Analyse water quality",
    },
    # Propreté et déchets
    {
        "code": "dec-collecte",
        "theme": "dechets",
        "label_fr": "Organiser la collecte des déchets",
        "label_en": "Organise waste collection",
    },
    {
        "code": "dec-prevention",
        "theme": "dechets",
        "label_fr": "Animer un programme de prévention des déchets",
        "label_en": "Run a waste reduction programme",
    },
    {
        "code": "dec-decheterie",
        "theme": "dechets",
        "label_fr": "Gérer une déchèterie",
        "label_en": "Run a recycling centre",
    },
    {
        "code": "dec-proprete",
        "theme": "dechets",
        "label_fr": "Organiser la propreté urbaine",
        "label_en": "Organise street cleaning",
    },
    {
        "code": "dec-tri",
        "theme": "dechets",
        "label_fr": "Sensibiliser au tri et au compostage",
        "label_en": "Promote waste sorting and composting",
    },
    # Prévention et sécurité
    {
        "code": "sec-police-municipale",
        "theme": "securite",
        "label_fr": "Assurer une mission de police municipale",
        "label_en": "Carry out municipal police duties",
    },
    {
        "code": "sec-mediation",
        "theme": "securite",
        "label_fr": "Assurer une médiation de tranquillité publique",
        "label_en": "Provide public-peace mediation",
    },
    {
        "code": "sec-prevention-delinquance",
        "theme": "securite",
        "label_fr": "Animer un conseil local de prévention de la délinquance",
        "label_en": "Coordinate a local crime-prevention council",
    },
    {
        "code": "sec-crise",
        "theme": "securite",
        "label_fr": "Gérer une crise (plan communal de sauvegarde)",
        "label_en": "Manage a crisis (local emergency plan)",
    },
    {
        "code": "sec-videoprotection",
        "theme": "securite",
        "label_fr": "Exploiter un centre de supervision urbaine",
        "label_en": "Operate a CCTV control centre",
    },
    # Management et transversal
    {
        "code": "bureautique",
        "theme": "transversal",
        "label_fr": "Utiliser les outils bureautiques",
        "label_en": "Use office software",
    },
    {
        "code": "tableur",
        "theme": "transversal",
        "label_fr": "Analyser des données (tableur)",
        "label_en": "Analyse data (spreadsheet)",
    },
    {
        "code": "gestion-projet",
        "theme": "transversal",
        "label_fr": "Conduire un projet",
        "label_en": "Manage a project",
    },
    {
        "code": "reunion-publique",
        "theme": "transversal",
        "label_fr": "Animer une réunion publique",
        "label_en": "Run a public meeting",
    },
    {
        "code": "management",
        "theme": "transversal",
        "label_fr": "Manager une équipe",
        "label_en": "Manage a team",
    },
    {
        "code": "conduite-changement",
        "theme": "transversal",
        "label_fr": "Accompagner le changement",
        "label_en": "Lead change",
    },
    {
        "code": "accueil-handicap",
        "theme": "transversal",
        "label_fr": "Accueillir le public en situation de handicap",
        "label_en": "Welcome members of the public with disabilities",
    },
    {
        "code": "note-administrative",
        "theme": "transversal",
        "label_fr": "Rédiger une note administrative",
        "label_en": "Write an administrative memo",
    },
    {
        "code": "evaluation",
        "theme": "transversal",
        "label_fr": "Évaluer une politique publique",
        "label_en": "Evaluate a public policy",
    },
    {
        "code": "design-public",
        "theme": "transversal",
        "label_fr": "Mener une démarche de design des politiques publiques",
        "label_en": "Apply public policy design methods",
    },
    {
        "code": "intelligence-collective",
        "theme": "transversal",
        "label_fr": "Animer un atelier d'intelligence collective",
        "label_en": "Facilitate a collective intelligence workshop",
    },
    {
        "code": "partenariat",
        "theme": "transversal",
        "label_fr": "Animer un réseau de partenaires",
        "label_en": "Coordinate a network of partners",
    },
    {
        "code": "gestion-conflits",
        "theme": "transversal",
        "label_fr": "Gérer une situation conflictuelle avec le public",
        "label_en": "Handle a conflict with a member of the public",
    },
    {
        "code": "inclusion-numerique",
        "theme": "transversal",
        "label_fr": "Accompagner les usagers dans leurs démarches en ligne",
        "label_en": "Help users with online procedures",
    },
    {
        "code": "transition-ecologique",
        "theme": "transversal",
        "label_fr": "Intégrer la transition écologique à son activité",
        "label_en": "Build the ecological transition into one's work",
    },
    {
        "code": "anglais",
        "theme": "transversal",
        "label_fr": "Communiquer en anglais",
        "label_en": "Communicate in English",
    },
]

SKILL_LEVELS = {
    1: ("Notions", "Basic"),
    2: ("Pratique", "Practical"),
    3: ("Maîtrise", "Proficient"),
    4: ("Expertise", "Expert"),
}

ORGANISATION_KINDS = [
    {"code": "commune", "label_fr": "Commune", "label_en": "Municipality"},
    {
        "code": "epci",
        "label_fr": "Intercommunalité (communauté urbaine, d'agglomération, métropole)",
        "label_en": "Inter-municipal body (urban community, conurbation, metropolis)",
    },
    {
        "code": "departement",
        "label_fr": "Département",
        "label_en": "Département (county council)",
    },
    {"code": "region", "label_fr": "Région", "label_en": "Region"},
    {
        "code": "ccas",
        "label_fr": "Centre communal d'action sociale (CCAS)",
        "label_en": "Municipal social action centre (CCAS)",
    },
    {
        "code": "carsat",
        "label_fr": "Caisse d'assurance retraite et de la santé au travail (Carsat)",
        "label_en": "Pension and occupational health fund (Carsat)",
    },
    {"code": "etat", "label_fr": "Service de l'État", "label_en": "State service"},
    {
        "code": "hopital",
        "label_fr": "Établissement hospitalier",
        "label_en": "Hospital",
    },
    {
        "code": "autre",
        "label_fr": "Autre organisme public",
        "label_en": "Other public body",
    },
]
