"""Benchmark the compliance checker on one core; prints JSON.

* ``long_post``: one post = a caption plus a two-minute video transcript (~300 spoken words
  with timestamps, an on-screen note and a sponsor read), written by a seeded generator in
  this file (not taken from any evaluation set), in English, Spanish, French or German. p50
  and p99 per post, with and without the sponsored score (the CLI and the API compute it).
* ``short_post``: the posts of ``compliance/data/eval_posts.jsonl`` (mostly one-line captions),
  one by one and as a batch of 10,000.
* ``anchor``: a naive "#ad anywhere" check of the same long posts, measured in the same run,
  to compare machines.
* ``first_use``: training both classifiers on first use (once per process).
* ``accuracy``: the evaluation of ``python -m compliance.evaluate`` on every set, with the
  issue-17 targets for the independent set. ``--timing-only`` leaves it out: timing while
  the detectors are tuned must not run the held-out set (``python -m eval.compliance`` is
  the one place that does).

Threads are limited to one before numpy is imported: ``OMP_NUM_THREADS=1`` etc.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402  (after the thread limits)
import json  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

from compliance.checker import check_many, check_post  # noqa: E402
from compliance.classifier import default_classifier  # noqa: E402
from compliance.evaluate import EVAL_PATH, load_eval  # noqa: E402
from compliance.statements import default_statement_classifier  # noqa: E402
from compliance.types import Post  # noqa: E402
from eval.compliance import evaluate_all, targets  # noqa: E402

BRANDS = ("Trailhound", "Lumora", "Pixelforge", "Kettle & Co", "Brewtide", "NordPeak")
PRODUCTS = {
    "en": ("rain jacket", "camp stove", "serum", "keyboard", "grinder", "headlamp", "wok"),
    "es": ("chaqueta", "hornillo", "sérum", "teclado", "molinillo", "frontal", "wok"),
    "fr": ("veste", "réchaud", "sérum", "clavier", "moulin", "frontale", "wok"),
    "de": ("Regenjacke", "Kocher", "Serum", "Tastatur", "Mühle", "Stirnlampe", "Wok"),
}
# Everyday talk of a product video, with {p} (product), {b} (brand) and {n} (a number).
TALK = {
    "en": (
        "Okay so today we are looking at the {p} I have been carrying around for {n} days.",
        "First thing you notice is the weight, it is a lot lighter than my old one.",
        "I took it out on a {n} kilometre walk on Saturday and it did not let me down.",
        "The finish is nice, there is a small scratch here but that is on me.",
        "If you have watched my channel for a while you know I am picky about this stuff.",
        "Let me show you the details up close, the stitching on the side is really neat.",
        "Price wise it sits in the middle, there are cheaper ones and much pricier ones.",
        "One thing I would change is the colour options, there are only {n} of them.",
        "My partner borrowed it last week and gave it back with a few complaints.",
        "Honestly the setup took me about {n} minutes, which is fine.",
        "Compared to last year's version the {p} feels more solid in the hand.",
        "Cleaning it is easy, a bit of warm water and you are done.",
        "Tell me in the comments what you want me to test next.",
        "The box it comes in is recyclable, which I always like to see.",
        "I have used a lot of these over the years and this one is up there.",
    ),
    "es": (
        "Bueno, hoy vemos el {p} que llevo usando {n} días.",
        "Lo primero que se nota es el peso, es mucho más ligero que el anterior.",
        "El sábado hice una ruta de {n} kilómetros y no me falló.",
        "El acabado está bien, tiene un arañazo aquí pero es culpa mía.",
        "Si me seguís desde hace tiempo sabéis que soy muy exigente con esto.",
        "Os enseño los detalles de cerca, las costuras del lateral están muy bien.",
        "De precio está en la media, hay más baratos y mucho más caros.",
        "Cambiaría los colores, solo hay {n} opciones.",
        "Mi pareja lo usó la semana pasada y me lo devolvió con alguna queja.",
        "Montarlo me llevó unos {n} minutos, sin problema.",
        "Comparado con la versión del año pasado el {p} se nota más sólido.",
        "Limpiarlo es fácil, un poco de agua tibia y listo.",
        "Contadme en comentarios qué queréis que pruebe ahora.",
    ),
    "fr": (
        "Alors aujourd'hui on regarde le {p} que j'utilise depuis {n} jours.",
        "La première chose qu'on remarque c'est le poids, bien plus léger que l'ancien.",
        "Samedi j'ai fait une rando de {n} kilomètres et il ne m'a pas lâché.",
        "La finition est bonne, il y a une petite rayure ici mais c'est ma faute.",
        "Si vous me suivez depuis longtemps vous savez que je suis exigeante.",
        "Je vous montre les détails de près, les coutures sur le côté sont nettes.",
        "Côté prix il est dans la moyenne, il y a moins cher et beaucoup plus cher.",
        "Je changerais les coloris, il n'y en a que {n}.",
        "Mon copain l'a emprunté la semaine dernière et me l'a rendu en râlant un peu.",
        "L'installation m'a pris environ {n} minutes, ça va.",
        "Par rapport à la version de l'an dernier le {p} est plus solide en main.",
        "Le nettoyage est simple, un peu d'eau tiède et c'est fini.",
        "Dites-moi en commentaire ce que je dois tester ensuite.",
    ),
    "de": (
        "Also heute schauen wir uns die {p} an, die ich seit {n} Tagen benutze.",
        "Als Erstes fällt das Gewicht auf, sie ist viel leichter als meine alte.",
        "Am Samstag war ich {n} Kilometer unterwegs und sie hat durchgehalten.",
        "Die Verarbeitung ist gut, hier ist ein kleiner Kratzer, aber der ist von mir.",
        "Wer mir schon länger folgt, weiß, dass ich da pingelig bin.",
        "Ich zeige euch die Details aus der Nähe, die Nähte an der Seite sind sauber.",
        "Preislich liegt sie im Mittelfeld, es gibt günstigere und viel teurere.",
        "Ändern würde ich die Farben, es gibt nur {n}.",
        "Mein Partner hat sie letzte Woche ausgeliehen und sich ein bisschen beschwert.",
        "Der Aufbau hat etwa {n} Minuten gedauert, das passt.",
        "Im Vergleich zum Vorjahresmodell fühlt sich die {p} stabiler an.",
        "Reinigen ist einfach, etwas warmes Wasser und fertig.",
        "Schreibt mir in die Kommentare, was ich als Nächstes testen soll.",
    ),
}
SPONSOR = {
    "en": "This video is sponsored by {b}, use my code SAVE{n} for {n} percent off.",
    "es": "Este vídeo está patrocinado por {b}, con mi código SAVE{n} tenéis un {n} por ciento.",
    "fr": "Cette vidéo est sponsorisée par {b}, avec mon code SAVE{n} vous avez {n} pour cent.",
    "de": "Dieses Video ist Werbung für {b}, mit meinem Code SAVE{n} spart ihr {n} Prozent.",
}
CAPTION = {
    "en": "#ad My honest take on the {b} {p} after {n} days 👇 full review in the video",
    "es": "Publicidad | Mi opinión sincera del {p} de {b} después de {n} días 👇",
    "fr": "Publicité | Mon avis honnête sur le {p} {b} après {n} jours 👇",
    "de": "Werbung | Meine ehrliche Meinung zur {p} von {b} nach {n} Tagen 👇",
}
JURISDICTION = {"en": "US", "es": "EU", "fr": "EU", "de": "EU"}


def long_post(rng: random.Random) -> Post:
    """A caption plus a two-minute transcript (~300 words), one segment every ~8 seconds."""
    lang = rng.choice(("en", "es", "fr", "de"))
    brand = rng.choice(BRANDS)
    product = rng.choice(PRODUCTS[lang])
    fill = {"p": product, "b": brand}
    segments: list[str] = []
    words = 0
    second = 0
    sponsor_at = rng.randint(2, 5)
    while second < 120:
        stamp = f"[{second // 60:02d}:{second % 60:02d}]"
        if len(segments) == sponsor_at:
            line = SPONSOR[lang].format(n=rng.randint(10, 25), **fill)
            line = f"[on-screen: {brand}] {line}"
        else:
            line = rng.choice(TALK[lang]).format(n=rng.randint(2, 60), **fill)
        segments.append(f"{stamp} {line}")
        words += len(re.findall(r"\w+", line))
        second += rng.randint(5, 7)
    return Post.from_dict(
        {
            "caption": CAPTION[lang].format(n=rng.randint(5, 60), **fill),
            "transcript": " ".join(segments),
            "platform": rng.choice(("youtube", "tiktok", "instagram")),
            "media": "video",
            "material_connection": {"type": "paid", "brand": brand},
            "platform_label": False,
            "jurisdiction": JURISDICTION[lang],
        }
    )


def _percentiles(samples: list[float]) -> dict[str, float]:
    samples = sorted(samples)
    return {
        "n": len(samples),
        "p50_ms": round(statistics.median(samples), 3),
        "p99_ms": round(samples[int(0.99 * (len(samples) - 1))], 3),
        "max_ms": round(samples[-1], 3),
    }


def _time(posts: list[Post], *, score: bool) -> dict[str, Any]:
    """CPU time of the checking thread (what one core spends) and wall time, per post."""
    cpu: list[float] = []
    wall: list[float] = []
    for post in posts:
        w0, c0 = time.perf_counter(), time.thread_time()
        check_post(post, score=score)
        cpu.append((time.thread_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    return {"cpu": _percentiles(cpu), "wall": _percentiles(wall)}


def _batch(posts: list[Post], *, score: bool) -> float:
    c0 = time.thread_time()
    sum(1 for _ in check_many(posts, score=score))
    return round(time.thread_time() - c0, 3)


_NAIVE_AD = re.compile(r"#ad\b", re.IGNORECASE)


def _anchor(posts: list[Post]) -> dict[str, Any]:
    cpu: list[float] = []
    wall: list[float] = []
    for post in posts:
        w0, c0 = time.perf_counter(), time.thread_time()
        bool(_NAIVE_AD.search(post.caption) or _NAIVE_AD.search(post.transcript or ""))
        cpu.append((time.thread_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    return {"cpu": _percentiles(cpu), "wall": _percentiles(wall)}


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print one JSON object."""
    parser = argparse.ArgumentParser(description="Benchmark the compliance checker (JSON).")
    parser.add_argument(
        "--timing-only",
        action="store_true",
        help="leave out the accuracy section (which runs every labelled set, the held-out one too)",
    )
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    default_statement_classifier()
    statements_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    default_classifier()
    sponsored_s = time.perf_counter() - t0

    rng = random.Random(17)
    long_posts = [long_post(rng) for _ in range(600)]
    words = [len(re.findall(r"\w+", p.transcript or "")) for p in long_posts]
    for post in long_posts[:50]:  # warm up
        check_post(post)
    short_posts = [
        Post.from_dict({k: v for k, v in row.items() if not k.startswith("expected_")})
        for row in load_eval(EVAL_PATH)
    ]
    report: dict[str, Any] = {
        "threads": 1,
        "load_average_1min": round(os.getloadavg()[0], 2),
        "timing_note": "cpu = CPU time of the checking thread (one core); wall includes waiting "
        "for a core on a loaded machine",
        "first_use_s": {
            "statement_classifier": round(statements_s, 3),
            "sponsored_classifier": round(sponsored_s, 3),
        },
        "long_post": {
            "transcript_words_median": statistics.median(words),
            "transcript_seconds": 120,
            "with_score": _time(long_posts[50:], score=True),
            "rules_only": _time(long_posts[50:], score=False),
        },
        "anchor_naive_hashtag_ad": _anchor(long_posts[50:]),
        "short_post": {
            "posts": len(short_posts),
            "with_score": _time(short_posts * 3, score=True),
            "rules_only": _time(short_posts * 3, score=False),
        },
    }
    batch = [short_posts[i % len(short_posts)] for i in range(10_000)]
    report["batch_10000_short_posts_cpu_s"] = {
        "with_score": _batch(batch, score=True),
        "rules_only": _batch(batch, score=False),
    }
    if args.timing_only:
        print(json.dumps(report, indent=2))
        return
    sets = evaluate_all()
    report["accuracy"] = {
        name: {
            "posts": r.n,
            "verdict_accuracy": round(r.accuracy, 4),
            "reason_macro_f1": round(r.macro_f1, 4),
            "min_code_recall": round(r.min_recall, 4),
        }
        for name, r in sets.items()
    }
    report["targets"] = targets(sets, report["long_post"]["with_score"]["cpu"]["p99_ms"])
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
