"""Fixtures of the evaluation tests: tiny CSV files with every quirk of the real dump, and
the real dump itself (skipped with a reason when its folder is absent)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.youtube import Dataset, default_data_dir, load_dataset

CATEGORIES = {
    "10": "Music",
    "20": "Gaming",
    "22": "People & Blogs",
    "26": "Howto & Style",
    "28": "Science & Technology",
}

V1_HEADER = (
    "video_id,title,channel_title,category_id,tags,views,likes,dislikes,comment_total,"
    "thumbnail_link,date"
)
# v1: BOM, dd.mm dates, unquoted tags, [none]; "cook1" trends on three days (views grow),
# "22.10" must stay 22 October (a float reader would make it 22.1).
V1_ROWS = [
    'cook1,"Juicy Chicken Breast - cooking",Kitchen Mia,26,how to|cooking|recipe,1000,10,1,5,'
    "https://i.ytimg.com/vi/cook1/default.jpg,13.09",
    'cook1,"Juicy Chicken Breast - cooking",Kitchen Mia,26,how to|cooking|recipe,5000,50,2,9,'
    "https://i.ytimg.com/vi/cook1/default.jpg,14.09",
    'cook1,"Juicy Chicken Breast - cooking",Kitchen Mia,26,how to|cooking|recipe,3000,30,2,7,'
    "https://i.ytimg.com/vi/cook1/default.jpg,15.09",
    'cook2,"Pancakes for beginners",Kitchen Mia,26,[none],200,20,0,2,'
    "https://i.ytimg.com/vi/cook2/default.jpg,22.10",
    'vlog1,"My day at the beach",Kitchen Mia,22,vlog|beach,100,1,0,1,'
    "https://i.ytimg.com/vi/vlog1/default.jpg,01.10",
    'song1,"Álvaro Soler - Sofia (Official Video)",Álvaro Soler,10,pop|sofia,900,90,3,12,'
    "https://i.ytimg.com/vi/song1/default.jpg,20.09",
]

V2_HEADER = (
    "video_id,trending_date,title,channel_title,category_id,publish_time,tags,views,likes,"
    "dislikes,comment_count,thumbnail_link,comments_disabled,ratings_disabled,"
    "video_error_or_removed,description"
)
# v2: yy.dd.mm dates, quoted tags as in the real files, descriptions with a literal \n.
V2_US_ROWS = [
    'tech1,17.14.11,"iPhone X unboxing","Gadget Lab",28,2017-11-13T17:13:01.000Z,'
    '"iphone x"|"unboxing"|"apple",7000,700,10,70,https://i.ytimg.com/vi/tech1/default.jpg,'
    'False,False,False,"Unboxing the new phone.\\nBuy it: https://amzn.to/xyz\\nFollow me"',
    'tech1,17.15.11,"iPhone X unboxing","Gadget Lab",28,2017-11-13T17:13:01.000Z,'
    '"iphone x"|"unboxing"|"apple",9000,800,10,80,https://i.ytimg.com/vi/tech1/default.jpg,'
    'False,False,False,"Unboxing the new phone.\\nBuy it: https://amzn.to/xyz\\nFollow me"',
    'cook3,17.16.11,"Vegan brownies","Kitchen Mia",26,2017-11-15T10:00:00.000Z,[none],'
    "400,40,1,4,https://i.ytimg.com/vi/cook3/default.jpg,False,False,False,",
]
V2_FR_ROWS = [
    'jeu1,17.14.11,"On joue à Zelda","Le Joueur",20,2017-11-13T17:00:00.000Z,'
    '"zelda"|"nintendo",5000,400,5,60,https://i.ytimg.com/vi/jeu1/default.jpg,'
    'False,False,False,"La suite de notre aventure dans le jeu.\\nAbonnez-vous"',
    # The same video trending in France too: a second (country, video) row.
    'tech1,17.14.11,"iPhone X unboxing","Gadget Lab",28,2017-11-13T17:13:01.000Z,'
    '"iphone x"|"unboxing",8000,750,10,75,https://i.ytimg.com/vi/tech1/default.jpg,'
    'False,False,False,"Unboxing the new phone."',
]


def write_fixture(root: Path) -> Path:
    """A data folder shaped like the real one, with every quirk in a few rows."""
    v1 = root / "v1_2017-09-13_to_2017-10-22"
    v2 = root / "v2_2017-11-14_to_2017-11-28"
    v1.mkdir(parents=True)
    v2.mkdir(parents=True)
    (v1 / "USvideos.csv").write_text("\n".join([V1_HEADER, *V1_ROWS]) + "\n", encoding="utf-8-sig")
    (v2 / "USvideos.csv").write_text("\n".join([V2_HEADER, *V2_US_ROWS]) + "\n", encoding="utf-8")
    (v2 / "FRvideos.csv").write_text("\n".join([V2_HEADER, *V2_FR_ROWS]) + "\n", encoding="utf-8")
    items = [{"id": cid, "snippet": {"title": name}} for cid, name in CATEGORIES.items()]
    (v2 / "US_category_id.json").write_text(json.dumps({"items": items}), encoding="utf-8")
    return root


@pytest.fixture
def fixture_dir(tmp_path: Path) -> Path:
    return write_fixture(tmp_path / "youtube")


@pytest.fixture(scope="session")
def real_data_dir() -> Path:
    path = default_data_dir()
    if not path.is_dir():
        pytest.skip(
            f"the YouTube trending data is not at {path} (set CREATORMATCH_YOUTUBE_DATA to"
            " the folder holding v1_*/ and v2_*/)"
        )
    return path


@pytest.fixture(scope="session")
def real_dataset(real_data_dir: Path) -> Dataset:
    return load_dataset(real_data_dir)
