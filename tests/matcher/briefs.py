"""Brief-like texts for encoder agreement tests and benchmarks (not the evaluation set).

A recruiter's brief reaches the encoder as one short text: usually the niche sentence of a
campaign, 3-30 words, in English, Spanish, French or German, sometimes just keywords. These
are composed from small hand-written parts, deterministically (same seed, same texts), so
the agreement and latency figures are measured on a spread of lengths, languages, topics and
styles instead of on ten sentences.
"""

from __future__ import annotations

import random

__all__ = ["brief_texts"]

# (English niche words, Spanish, French, German) per topic.
_TOPICS = [
    ("vegan skincare", "cosmética vegana", "cosmétique vegan", "vegane Hautpflege"),
    ("FPS gaming", "videojuegos de disparos", "jeux de tir", "Shooter-Games"),
    ("home fitness", "fitness en casa", "fitness à la maison", "Home-Workouts"),
    ("budget travel", "viajes baratos", "voyages petit budget", "günstiges Reisen"),
    ("plant-based cooking", "cocina vegetal", "cuisine végétale", "pflanzliche Küche"),
    ("sustainable fashion", "moda sostenible", "mode durable", "nachhaltige Mode"),
    ("personal finance", "finanzas personales", "finances personnelles", "private Finanzen"),
    ("parenting", "crianza", "parentalité", "Elternschaft"),
    ("hiking and outdoor gear", "senderismo", "randonnée", "Wandern und Outdoor"),
    ("coffee", "café de especialidad", "café de spécialité", "Spezialitätenkaffee"),
    ("tech reviews", "reseñas de tecnología", "tests high-tech", "Technik-Tests"),
    ("pet care", "cuidado de mascotas", "soins des animaux", "Haustierpflege"),
    ("interior design", "decoración de interiores", "décoration intérieure", "Inneneinrichtung"),
    ("running", "running", "course à pied", "Laufen"),
    ("makeup tutorials", "tutoriales de maquillaje", "tutos maquillage", "Make-up-Tutorials"),
    ("street photography", "fotografía callejera", "photo de rue", "Streetfotografie"),
    ("craft beer", "cerveza artesanal", "bière artisanale", "Craft-Bier"),
    ("yoga and mindfulness", "yoga y meditación", "yoga et méditation", "Yoga und Achtsamkeit"),
    ("electric cars", "coches eléctricos", "voitures électriques", "Elektroautos"),
    ("board games", "juegos de mesa", "jeux de société", "Brettspiele"),
]
_PRODUCTS = [
    "face serum",
    "wireless headset",
    "protein bar",
    "travel backpack",
    "oat milk",
    "recycled sneakers",
    "budgeting app",
    "baby carrier",
    "rain jacket",
    "espresso machine",
    "laptop",
    "dog food",
    "sofa",
    "trail shoes",
    "lipstick",
    "mirrorless camera",
    "IPA",
    "meditation app",
    "charging station",
    "card game",
]
_CITIES = ["Lisbon", "Madrid", "Paris", "Berlin", "London", "Austin", "Toronto", "Munich"]
_PLATFORMS = ["Instagram", "TikTok", "YouTube", "Twitch"]

_EN = [
    "{topic}",
    "{topic} creators",
    "{topic} on {platform}",
    "{topic} creators in {city}",
    "micro influencers for {topic}",
    "Looking for {topic} creators for our new {product}.",
    "Launch of our {product}; we want {topic} creators on {platform}.",
    "We are a small brand from {city} and need {topic} influencers for a two-week campaign.",
    "Seeking authentic {topic} voices with an engaged audience aged 25-34 to review our "
    "{product} in short videos.",
    "Q3 campaign: {product} launch, {topic}, {platform} reels, nano and micro tiers, "
    "audience mostly women in {city}.",
    "Brand ambassadors wanted: {topic} lovers who post weekly and can talk honestly about a "
    "{product} they use every day.",
]
_ES = [
    "{topic}",
    "creadores de {topic} en {city}",
    "Buscamos creadores de {topic} para nuestro nuevo {product}.",
    "Marca de {city} busca influencers de {topic} en {platform} para una campaña de verano.",
]
_FR = [
    "{topic}",
    "créateurs {topic} à {city}",
    "Nous cherchons des créateurs {topic} pour lancer notre {product}.",
    "Marque indépendante de {city} cherche des influenceurs {topic} sur {platform} pour six "
    "semaines.",
]
_DE = [
    "{topic}",
    "{topic} Creator in {city}",
    "Wir suchen {topic}-Creator für unser neues Produkt: {product}.",
    "Junge Marke aus {city} sucht Influencer für {topic} auf {platform}, Kampagne im Herbst.",
]


def brief_texts(n: int = 200, *, seed: int = 16) -> list[str]:
    """``n`` distinct brief-like texts (about half English, the rest ES/FR/DE)."""
    rng = random.Random(seed)
    languages = [(0, _EN)] * 6 + [(1, _ES)] * 2 + [(2, _FR)] * 2 + [(3, _DE)] * 2
    seen: set[str] = set()
    texts: list[str] = []
    while len(texts) < n:
        column, templates = rng.choice(languages)
        topic = rng.choice(_TOPICS)[column]
        text = rng.choice(templates).format(
            topic=topic,
            product=rng.choice(_PRODUCTS),
            city=rng.choice(_CITIES),
            platform=rng.choice(_PLATFORMS),
        )
        text = text[0].upper() + text[1:] if rng.random() < 0.5 else text
        if text not in seen:
            seen.add(text)
            texts.append(text)
    return texts
