#include "demo/tables.h"

namespace segmenta::demo_internal {
namespace {

using Names = std::string_view;

constexpr Place kRomania[] = {
    {"București", "București", 18}, {"Cluj", "Cluj-Napoca", 6},    {"Cluj", "Turda", 1},
    {"Timiș", "Timișoara", 5},      {"Timiș", "Lugoj", 1},         {"Iași", "Iași", 5},
    {"Iași", "Pașcani", 1},         {"Constanța", "Constanța", 4}, {"Constanța", "Mangalia", 1},
    {"Brașov", "Brașov", 4},        {"Brașov", "Făgăraș", 1},      {"Dolj", "Craiova", 4},
    {"Galați", "Galați", 3},        {"Prahova", "Ploiești", 3},    {"Bihor", "Oradea", 3},
    {"Sibiu", "Sibiu", 2},          {"Argeș", "Pitești", 2},       {"Mureș", "Târgu Mureș", 2},
};
constexpr Names kRomanianFemale[] = {"maria",    "elena", "ioana",  "ana",
                                     "cristina", "diana", "raluca", "andreea"};
constexpr Names kRomanianMale[] = {"ion",     "andrei", "mihai",  "alexandru",
                                   "gabriel", "vlad",   "stefan", "bogdan"};
constexpr Names kRomanianSurnames[] = {"popescu", "ionescu",  "popa",       "dumitru",
                                       "stan",    "stoica",   "gheorghe",   "matei",
                                       "radu",    "munteanu", "constantin", "marin"};

constexpr Place kBulgaria[] = {
    {"Sofia City", "Sofia", 12},
    {"Plovdiv", "Plovdiv", 5},
    {"Plovdiv", "Asenovgrad", 1},
    {"Varna", "Varna", 5},
    {"Burgas", "Burgas", 3},
    {"Burgas", "Nesebar", 1},
    {"Ruse", "Ruse", 2},
    {"Stara Zagora", "Stara Zagora", 2},
    {"Stara Zagora", "Kazanlak", 1},
    {"Veliko Tarnovo", "Veliko Tarnovo", 1},
    {"Blagoevgrad", "Blagoevgrad", 1},
    {"Blagoevgrad", "Bansko", 1},
};
constexpr Names kBulgarianFemale[] = {"maria", "elena", "petya", "desislava", "yana", "gergana"};
constexpr Names kBulgarianMale[] = {"georgi", "ivan", "dimitar", "nikolay", "stefan", "hristo"};
constexpr Names kBulgarianSurnames[] = {"ivanov",  "georgiev", "dimitrov", "petrov",  "nikolov",
                                        "todorov", "stoyanov", "hristov",  "angelov", "yordanov"};

constexpr Place kPoland[] = {
    {"Mazowieckie", "Warszawa", 18},
    {"Mazowieckie", "Radom", 2},
    {"Mazowieckie", "Płock", 1},
    {"Małopolskie", "Kraków", 8},
    {"Małopolskie", "Tarnów", 1},
    {"Łódzkie", "Łódź", 7},
    {"Łódzkie", "Piotrków Trybunalski", 1},
    {"Dolnośląskie", "Wrocław", 6},
    {"Dolnośląskie", "Wałbrzych", 1},
    {"Wielkopolskie", "Poznań", 5},
    {"Wielkopolskie", "Kalisz", 1},
    {"Pomorskie", "Gdańsk", 5},
    {"Pomorskie", "Gdynia", 2},
    {"Śląskie", "Katowice", 3},
    {"Śląskie", "Gliwice", 2},
    {"Śląskie", "Częstochowa", 2},
    {"Lubelskie", "Lublin", 3},
    {"Zachodniopomorskie", "Szczecin", 3},
};
constexpr Names kPolishFemale[] = {"anna",      "katarzyna", "agnieszka",
                                   "magdalena", "zofia",     "joanna"};
constexpr Names kPolishMale[] = {"jan", "piotr", "tomasz", "pawel", "krzysztof", "michal"};
constexpr Names kPolishSurnames[] = {"nowak",    "wojcik",    "kowalczyk", "wozniak", "mazur",
                                     "krawczyk", "kaczmarek", "zajac",     "krol",    "wieczorek"};

constexpr Place kItaly[] = {
    {"Lazio", "Roma", 14},       {"Lazio", "Latina", 1},           {"Lombardia", "Milano", 12},
    {"Lombardia", "Bergamo", 2}, {"Lombardia", "Brescia", 2},      {"Campania", "Napoli", 8},
    {"Campania", "Salerno", 2},  {"Piemonte", "Torino", 7},        {"Sicilia", "Palermo", 5},
    {"Sicilia", "Catania", 3},   {"Emilia-Romagna", "Bologna", 4}, {"Emilia-Romagna", "Forlì", 1},
    {"Toscana", "Firenze", 4},   {"Toscana", "Pisa", 1},           {"Veneto", "Venezia", 3},
    {"Veneto", "Verona", 3},     {"Veneto", "Padova", 2},          {"Puglia", "Bari", 3},
};
constexpr Names kItalianFemale[] = {"maria", "giulia", "francesca", "chiara", "sara", "elena"};
constexpr Names kItalianMale[] = {"giuseppe", "marco", "luca", "alessandro", "matteo", "andrea"};
constexpr Names kItalianSurnames[] = {"rossi",  "russo",   "ferrari", "esposito", "bianchi",
                                      "romano", "colombo", "ricci",   "marino",   "greco"};

constexpr Place kPortugal[] = {
    {"Lisboa", "Lisboa", 10},          {"Lisboa", "Sintra", 3},
    {"Lisboa", "Cascais", 2},          {"Porto", "Porto", 6},
    {"Porto", "Vila Nova de Gaia", 3}, {"Braga", "Braga", 3},
    {"Braga", "Guimarães", 2},         {"Faro", "Faro", 2},
    {"Faro", "Portimão", 1},           {"Coimbra", "Coimbra", 2},
    {"Setúbal", "Setúbal", 2},         {"Setúbal", "Almada", 2},
    {"Aveiro", "Aveiro", 1},
};
constexpr Names kPortugueseFemale[] = {"maria", "ana", "ines", "beatriz", "catarina", "mariana"};
constexpr Names kPortugueseMale[] = {"joao", "pedro", "tiago", "rui", "miguel", "diogo"};
constexpr Names kPortugueseSurnames[] = {"silva", "santos",    "ferreira", "pereira", "oliveira",
                                         "costa", "rodrigues", "martins",  "sousa",   "fernandes"};

constexpr Place kGermany[] = {
    {"Berlin", "Berlin", 12},
    {"Bayern", "München", 8},
    {"Bayern", "Nürnberg", 3},
    {"Bayern", "Augsburg", 2},
    {"Hamburg", "Hamburg", 6},
    {"Nordrhein-Westfalen", "Köln", 6},
    {"Nordrhein-Westfalen", "Düsseldorf", 4},
    {"Nordrhein-Westfalen", "Dortmund", 4},
    {"Hessen", "Frankfurt am Main", 5},
    {"Baden-Württemberg", "Stuttgart", 4},
    {"Baden-Württemberg", "Freiburg im Breisgau", 2},
    {"Sachsen", "Leipzig", 4},
    {"Sachsen", "Dresden", 4},
};
constexpr Names kGermanFemale[] = {"anna", "lena", "laura", "sophie", "marie", "hannah"};
constexpr Names kGermanMale[] = {"lukas", "jonas", "felix", "maximilian", "paul", "leon"};
constexpr Names kGermanSurnames[] = {"mueller", "schmidt", "schneider", "fischer",  "weber",
                                     "meyer",   "wagner",  "becker",    "hoffmann", "schulz"};

constexpr Place kFrance[] = {
    {"Île-de-France", "Paris", 14},
    {"Île-de-France", "Versailles", 2},
    {"Auvergne-Rhône-Alpes", "Lyon", 6},
    {"Auvergne-Rhône-Alpes", "Grenoble", 2},
    {"Provence-Alpes-Côte d'Azur", "Marseille", 6},
    {"Provence-Alpes-Côte d'Azur", "Nice", 3},
    {"Occitanie", "Toulouse", 5},
    {"Occitanie", "Montpellier", 3},
    {"Nouvelle-Aquitaine", "Bordeaux", 4},
    {"Hauts-de-France", "Lille", 3},
    {"Grand Est", "Strasbourg", 3},
    {"Pays de la Loire", "Nantes", 3},
};
constexpr Names kFrenchFemale[] = {"camille", "lea", "manon", "chloe", "ines", "julie"};
constexpr Names kFrenchMale[] = {"louis", "hugo", "lucas", "jules", "gabriel", "arthur"};
constexpr Names kFrenchSurnames[] = {"martin",  "bernard", "dubois", "thomas", "robert",
                                     "richard", "petit",   "durand", "leroy",  "moreau"};

constexpr Place kSpain[] = {
    {"Comunidad de Madrid", "Madrid", 14},
    {"Comunidad de Madrid", "Alcalá de Henares", 2},
    {"Cataluña", "Barcelona", 10},
    {"Cataluña", "Girona", 2},
    {"Andalucía", "Sevilla", 5},
    {"Andalucía", "Málaga", 4},
    {"Andalucía", "Córdoba", 2},
    {"Comunitat Valenciana", "València", 5},
    {"Comunitat Valenciana", "Alicante", 3},
    {"País Vasco", "Bilbao", 3},
    {"Aragón", "Zaragoza", 3},
    {"Galicia", "A Coruña", 2},
    {"Galicia", "Vigo", 2},
};
constexpr Names kSpanishFemale[] = {"lucia", "maria", "paula", "carmen", "laura", "marta"};
constexpr Names kSpanishMale[] = {"alejandro", "pablo", "daniel", "javier", "sergio", "hugo"};
constexpr Names kSpanishSurnames[] = {"garcia",   "rodriguez", "gonzalez", "fernandez", "lopez",
                                      "martinez", "sanchez",   "perez",    "gomez",     "martin"};

constexpr Place kNetherlands[] = {
    {"Noord-Holland", "Amsterdam", 8},
    {"Noord-Holland", "Haarlem", 2},
    {"Zuid-Holland", "Rotterdam", 6},
    {"Zuid-Holland", "Den Haag", 5},
    {"Utrecht", "Utrecht", 4},
    {"Noord-Brabant", "Eindhoven", 3},
    {"Noord-Brabant", "'s-Hertogenbosch", 2},
    {"Groningen", "Groningen", 2},
};
constexpr Names kDutchFemale[] = {"emma", "julia", "sophie", "tess", "sara", "anouk"};
constexpr Names kDutchMale[] = {"daan", "sem", "lucas", "finn", "levi", "bram"};
constexpr Names kDutchSurnames[] = {"devries", "jansen", "debruijn", "vandijk", "bakker",
                                    "janssen", "visser", "smit",     "meijer",  "mulder"};

constexpr Place kHungary[] = {
    {"Budapest", "Budapest", 10},     {"Hajdú-Bihar", "Debrecen", 2},
    {"Csongrád-Csanád", "Szeged", 2}, {"Baranya", "Pécs", 2},
    {"Győr-Moson-Sopron", "Győr", 1},
};
constexpr Names kHungarianFemale[] = {"anna", "hanna", "zsofia", "eszter", "reka"};
constexpr Names kHungarianMale[] = {"bence", "mate", "levente", "adam", "balazs"};
constexpr Names kHungarianSurnames[] = {"nagy",    "kovacs", "toth", "szabo",
                                        "horvath", "varga",  "kiss", "molnar"};

constexpr Place kCzechia[] = {
    {"Praha", "Praha", 8},
    {"Jihomoravský kraj", "Brno", 3},
    {"Moravskoslezský kraj", "Ostrava", 2},
    {"Plzeňský kraj", "Plzeň", 1},
    {"Jihočeský kraj", "České Budějovice", 1},
};
constexpr Names kCzechFemale[] = {"eliska", "tereza", "anna", "klara", "lucie"};
constexpr Names kCzechMale[] = {"jakub", "jan", "tomas", "adam", "petr"};
constexpr Names kCzechSurnames[] = {"novak", "svoboda",   "novotny", "dvorak",
                                    "cerny", "prochazka", "kucera",  "kral"};

constexpr Country kCountries[] = {
    {"Romania", 16, kRomania, kRomanianFemale, kRomanianMale, kRomanianSurnames, "40"},
    {"Poland", 15, kPoland, kPolishFemale, kPolishMale, kPolishSurnames, "48"},
    {"Italy", 13, kItaly, kItalianFemale, kItalianMale, kItalianSurnames, "39"},
    {"Bulgaria", 9, kBulgaria, kBulgarianFemale, kBulgarianMale, kBulgarianSurnames, "359"},
    {"Portugal", 9, kPortugal, kPortugueseFemale, kPortugueseMale, kPortugueseSurnames, "351"},
    {"Germany", 11, kGermany, kGermanFemale, kGermanMale, kGermanSurnames, "49"},
    {"France", 9, kFrance, kFrenchFemale, kFrenchMale, kFrenchSurnames, "33"},
    {"Spain", 9, kSpain, kSpanishFemale, kSpanishMale, kSpanishSurnames, "34"},
    {"Netherlands", 4, kNetherlands, kDutchFemale, kDutchMale, kDutchSurnames, "31"},
    {"Hungary", 3, kHungary, kHungarianFemale, kHungarianMale, kHungarianSurnames, "36"},
    {"Czechia", 2, kCzechia, kCzechFemale, kCzechMale, kCzechSurnames, "420"},
};

}  // namespace

std::span<const Country> Countries() { return kCountries; }

}  // namespace segmenta::demo_internal
