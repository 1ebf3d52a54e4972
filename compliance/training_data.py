# ruff: noqa: E501  (hand-written caption templates, one per line)
"""How ``compliance/data/sponsorship_train.jsonl`` was made (run this module to rebuild it).

Every row is a caption we wrote ourselves: hand-written sentence templates (sponsored and
organic, in English, Spanish, French and German, across beauty, fitness, food, tech, travel,
fashion, gaming, parenting and finance niches) filled with invented brands, products and
codes by a seeded random generator. No scraped or third-party text is used.

Sponsored templates deliberately include undisclosed and weakly disclosed promotions (a
discount code, "link in bio", "thanks @brand"), because the score estimates how *promotional*
a post looks, not whether it is labelled. Organic templates include hard negatives: hashtags
such as ``#adventure`` or ``#adidas``, "not sponsored, I bought it myself", and product talk
about things the creator bought.

The held-out split is by *template*: every fifth template of each language and label is kept
out of training, so the held-out precision and recall measure generalisation to sentence
shapes the model has never seen, not memorisation of a template.

    python -m compliance.training_data            # rewrite the JSONL file
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

__all__ = ["DATA_PATH", "build_rows", "main"]

DATA_PATH = Path(__file__).with_name("data") / "sponsorship_train.jsonl"
PER_TEMPLATE = 8

_BRANDS = [
    "Lumora",
    "Glowbyte",
    "Nordpeak",
    "Veloce",
    "Cafeína Sol",
    "Brasserie Nova",
    "Kettlebell Co",
    "Pixelforge",
    "Mamabear",
    "Fintrail",
    "Solenne",
    "Waldgrün",
    "Atelier Rive",
    "Trailhound",
    "Crunchwise",
    "Aurelio",
    "Hydrafy",
    "Zestique",
    "Beatloop",
    "Cozynest",
]
_PRODUCTS = {
    "en": [
        "serum",
        "running shoes",
        "protein powder",
        "headphones",
        "backpack",
        "meal kit",
        "sunscreen",
        "blender",
        "yoga mat",
        "budgeting app",
        "coffee beans",
        "gaming chair",
    ],
    "es": [
        "sérum",
        "zapatillas",
        "proteína",
        "auriculares",
        "mochila",
        "crema solar",
        "batidora",
        "esterilla de yoga",
        "café",
        "silla gaming",
        "app de ahorro",
    ],
    "fr": [
        "sérum",
        "baskets",
        "protéine",
        "casque",
        "sac à dos",
        "crème solaire",
        "blender",
        "tapis de yoga",
        "café",
        "chaise gaming",
        "appli de budget",
    ],
    "de": [
        "Serum",
        "Laufschuhe",
        "Proteinpulver",
        "Kopfhörer",
        "Rucksack",
        "Sonnencreme",
        "Mixer",
        "Yogamatte",
        "Kaffee",
        "Gaming-Stuhl",
        "Budget-App",
    ],
}
_PLACES = [
    "Lisbon",
    "the Alps",
    "Kyoto",
    "my balcony",
    "the coast",
    "Sevilla",
    "Berlin",
    "Montréal",
]

_TEMPLATES: dict[str, dict[int, list[str]]] = {
    "en": {
        1: [
            "#ad I've been using the {brand} {product} for a month and honestly it's my new favourite. Use code {code} for 15% off!",
            "Huge thanks to @{handle} for sponsoring today's video! Their {product} is linked below, code {code} saves you 20%.",
            "Partnered with {brand} to bring you my honest take on their {product}. Shop via the link in bio!",
            "Run, don't walk: the {brand} {product} is back in stock. Grab yours with my link amzn.to/{code}",
            "Sponsored by {brand} | my morning routine with the new {product} #sponsored #morningroutine",
            "Obsessed with my new {product} from @{handle} 😍 use my code {code} at checkout",
            "This video is brought to you by {brand}. Their {product} changed my whole routine, link in bio to shop.",
            "Paid partnership with {brand}: 3 ways I style the {product} this season #{handle}partner",
            "{brand} sent me their {product} to try and I'm honestly impressed. Get 10% off with code {code}!",
            "New drop from {brand}! The {product} everyone is talking about, available now via my LTK ltk.app/{code}",
            "Giveaway time with @{handle}! Win a {product}: follow, like and tag a friend. #collab #giveaway",
            "I earn a commission from links in this post. My top 5 {product} picks from {brand} this month:",
        ],
        0: [
            "Sunday reset: long walk in {place}, cooked a big pot of soup and finally read a book.",
            "Not sponsored, I just bought this {product} myself three years ago and it still works.",
            "Best weekend in {place} with my family #adventure #travel #roadtrip",
            "Honest question: what's everyone's go-to {product}? Mine broke and I need advice.",
            "Trained legs today and could barely walk down the stairs after 😂 #fitness #gymlife",
            "Throwback to the sunset in {place}. Still thinking about that evening.",
            "My toddler decided bedtime is optional now. Send coffee. #parenting",
            "Rainy day, warm tea, and a playlist on repeat. That's the post.",
            "Spent the whole day repainting the hallway. It's finally done! #diy #homeproject",
            "Old {product} vs new {product}: I saved up for this one and I'm glad I waited.",
            "Marathon training week 6: 42 km total, knees are fine, morale is high #adidas #running",
            "Cooked my grandmother's recipe tonight and it tasted exactly like childhood.",
        ],
    },
    "es": {
        1: [
            "#publi Llevo un mes usando el {product} de {brand} y estoy encantada. Usa mi código {code} para un 15% de descuento.",
            "Gracias a @{handle} por patrocinar este vídeo. El enlace al {product} está en mi bio, código {code}.",
            "Publicidad | Mi rutina de mañana con el nuevo {product} de {brand}, enlace en bio para comprar.",
            "Colaboración pagada con {brand}: tres formas de usar el {product} este verano.",
            "¡Sorteo con @{handle}! Gana un {product}: sígueme y etiqueta a una amiga #colab",
            "Patrocinado por {brand}. Su {product} me ha cambiado la rutina, corre a por el tuyo con mi código {code}.",
            "Nuevo {product} de {brand} ya disponible, consíguelo con mi enlace amzn.to/{code}",
            "Me encanta el {product} de @{handle}, usa el código {code} y tendrás envío gratis",
        ],
        0: [
            "Domingo tranquilo en {place}: paseo largo, sopa casera y un buen libro.",
            "No es publicidad, compré este {product} hace años y sigue funcionando.",
            "El mejor fin de semana en {place} con la familia #viaje #aventura",
            "¿Qué {product} usáis vosotros? El mío se ha roto y necesito consejo.",
            "Hoy tocó pierna en el gimnasio y casi no puedo bajar las escaleras 😂",
            "Atardecer en {place}, todavía pienso en esa tarde.",
            "Cociné la receta de mi abuela y sabía exactamente a mi infancia.",
            "Día de lluvia, té calentito y música. Eso es todo.",
        ],
    },
    "fr": {
        1: [
            "Publicité | J'utilise le {product} de {brand} depuis un mois et je l'adore. Code {code} pour 15% de réduction !",
            "Merci à @{handle} de sponsoriser cette vidéo ! Le lien vers le {product} est dans ma bio, code promo {code}.",
            "Collaboration commerciale avec {brand} : trois façons de porter le {product} cet été.",
            "Concours avec @{handle} ! Gagne un {product} : abonne-toi et tague une amie #partenariat",
            "Le nouveau {product} de {brand} est dispo, profite de -20% avec mon code {code}",
            "Sponsorisé par {brand}. Leur {product} a changé ma routine, lien dans ma bio pour commander.",
            "#sponso Ma routine du matin avec le {product} de {brand}, lien en bio",
            "Je craque pour le {product} de @{handle}, utilise le code {code} pour la livraison offerte",
        ],
        0: [
            "Dimanche tranquille à {place} : longue balade, soupe maison et un bon livre.",
            "Ce n'est pas une pub, j'ai acheté ce {product} moi-même il y a trois ans.",
            "Le meilleur week-end à {place} en famille #voyage #aventure",
            "Vous utilisez quel {product} ? Le mien vient de casser, j'ai besoin de conseils.",
            "Séance jambes aujourd'hui, je ne sens plus mes mollets 😂",
            "Coucher de soleil à {place}, je pense encore à cette soirée.",
            "J'ai cuisiné la recette de ma grand-mère et ça avait le goût de mon enfance.",
            "Jour de pluie, thé chaud et une playlist en boucle. C'est tout.",
        ],
    },
    "de": {
        1: [
            "Werbung | Ich nutze das {product} von {brand} seit einem Monat und bin begeistert. Mit dem Code {code} spart ihr 15%!",
            "Danke an @{handle} für das Sponsoring dieses Videos! Den Link zum {product} findet ihr in der Bio, Rabattcode {code}.",
            "Anzeige: Drei Wege, das {product} von {brand} im Sommer zu stylen.",
            "Gewinnspiel mit @{handle}! Gewinnt ein {product}: folgen, liken und eine Freundin markieren #kooperation",
            "Das neue {product} von {brand} ist da, mit meinem Code {code} bekommt ihr 20% Rabatt",
            "In Kooperation mit {brand}: meine Morgenroutine mit dem {product}, Link in Bio zum Shoppen.",
            "Bezahlte Werbepartnerschaft mit {brand}. Das {product} hat meine Routine verändert!",
            "Ich liebe das {product} von @{handle}, mit dem Gutscheincode {code} gibt es gratis Versand",
        ],
        0: [
            "Ruhiger Sonntag in {place}: langer Spaziergang, selbst gekochte Suppe und ein gutes Buch.",
            "Keine Werbung, ich habe das {product} vor drei Jahren selbst gekauft.",
            "Das beste Wochenende in {place} mit der Familie #reisen #abenteuer",
            "Welches {product} nutzt ihr? Meins ist kaputt und ich brauche Rat.",
            "Heute war Beintag und ich komme kaum noch die Treppe runter 😂",
            "Sonnenuntergang in {place}, ich denke immer noch an diesen Abend.",
            "Ich habe das Rezept meiner Oma gekocht und es schmeckte nach Kindheit.",
            "Regentag, heißer Tee und eine Playlist in Dauerschleife. Mehr nicht.",
        ],
    },
}


def _handle(brand: str) -> str:
    return "".join(ch for ch in brand.lower() if ch.isalnum())


def build_rows(seed: int = 20240601) -> list[dict[str, object]]:
    """All rows, deterministic for a seed; every fifth template of a group is held out."""
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    for lang, by_label in _TEMPLATES.items():
        for label, templates in sorted(by_label.items()):
            for t_index, template in enumerate(templates):
                split = "test" if t_index % 5 == 4 else "train"
                for _ in range(PER_TEMPLATE):
                    brand = rng.choice(_BRANDS)
                    text = template.format(
                        brand=brand,
                        handle=_handle(brand),
                        product=rng.choice(_PRODUCTS[lang]),
                        code=f"{_handle(brand)[:4].upper()}{rng.randint(10, 40)}",
                        place=rng.choice(_PLACES),
                    )
                    rows.append(
                        {
                            "text": text,
                            "label": label,
                            "lang": lang,
                            "template": f"{lang}-{'s' if label else 'o'}-{t_index:02d}",
                            "split": split,
                        }
                    )
    seen: set[str] = set()
    unique = []
    for row in rows:
        if row["text"] not in seen:
            seen.add(str(row["text"]))
            unique.append(row)
    return unique


def main(argv: list[str] | None = None) -> int:
    """Rewrite the training JSONL file."""
    rows = build_rows()
    with DATA_PATH.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} rows to {DATA_PATH}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
