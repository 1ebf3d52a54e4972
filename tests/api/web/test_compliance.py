"""The compliance pages: checking a pasted post or a JSONL file, the verdict page with its
highlighted evidence, decisions, the queue, the audit log and the CSV export."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.web.compliance import Segment, highlight
from compliance import Post, check_post
from compliance_reviews.service import ReviewService
from core.settings import Settings
from models import AuditEvent, ComplianceCheck, utcnow
from storage.database import Database
from storage.repositories.compliance import AuditRepository, ComplianceCheckRepository
from storage.repositories.users import UserRepository
from tests.factories import make_org_with_key
from tests.web_support import WebAccount, make_user, sign_in

BURIED = (
    "Beach day essentials: reapplying @verdantskin SPF 50 every two hours, no sticky feel "
    "at all! #beach #summer #skincare #spf #vegan #cleanbeauty #ad #sunscreen"
)
UNDISCLOSED = "Obsessed with the new Verdant SPF 50! Use my code MAYA15 for 15% off"


def form(**overrides: str) -> dict[str, str]:
    """The check form as a reviewer fills it in."""
    return {
        "caption": BURIED,
        "transcript": "",
        "platform": "instagram",
        "media": "image",
        "jurisdiction": "US",
        "connection_type": "paid",
        "brand": "Verdant Skin",
        "post_id": "",
        **overrides,
    }


def post_line(**overrides: Any) -> str:
    data: dict[str, Any] = {
        "caption": UNDISCLOSED,
        "transcript": None,
        "platform": "instagram",
        "media": "image",
        "material_connection": {"type": "paid", "brand": "Verdant"},
        "platform_label": False,
        "jurisdiction": "US",
        **overrides,
    }
    return json.dumps(data)


def stored_checks(database: Database, organization_id: int) -> list[ComplianceCheck]:
    with database.session() as session:
        checks = ComplianceCheckRepository(session).list(organization_id, limit=1000)
        session.expunge_all()
        return checks


def audit_of(database: Database, organization_id: int) -> list[AuditEvent]:
    with database.session() as session:
        events = AuditRepository(session).list(organization_id, limit=1000)
        session.expunge_all()
        return events


def seed(database: Database, organization_id: int, *posts: dict[str, Any]) -> list[int]:
    """Checks stored through the service, as the API stores them; their ids."""
    with database.session() as session:
        stored = ReviewService().check_and_store(
            session, organization_id, [Post.from_dict(p) for p in posts], actor="api-key:test"
        )
        return [s.check.id for s in stored]


def paid_post(caption: str, **overrides: Any) -> dict[str, Any]:
    return {
        "caption": caption,
        "platform": "instagram",
        "media": "image",
        "material_connection": {"type": "paid", "brand": "Verdant"},
        "jurisdiction": "US",
        **overrides,
    }


class _Marks(HTMLParser):
    """The text inside each <mark> and whether the marks nest or stay open."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.max_depth = 0
        self.marks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "mark":
            self.depth += 1
            self.max_depth = max(self.max_depth, self.depth)
            self.marks.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.marks[-1] += data


def marks_of(html: str) -> _Marks:
    parser = _Marks()
    parser.feed(html)
    parser.close()
    assert parser.depth == 0, "a <mark> is left open"
    return parser


@pytest.fixture
def reviewer(database: Database) -> WebAccount:
    return make_user(database, "acme", "rob@acme.example", "reviewer")


@pytest.fixture
def csrf(client: TestClient, reviewer: WebAccount) -> str:
    return sign_in(client, reviewer)


class TestHighlight:
    def test_overlapping_evidence_becomes_consecutive_segments(self) -> None:
        text = "abcdefgh"
        findings = [
            {"code": "A", "severity": "hard", "evidence": [_ev(text, 1, 5)]},
            {"code": "B", "severity": "review", "evidence": [_ev(text, 3, 7)]},
        ]
        segments = highlight(text, findings, "caption")
        assert "".join(s.text for s in segments) == text
        assert [s for s in segments if s.codes] == [
            Segment("bc", ("A",), True),
            Segment("de", ("A", "B"), True),
            Segment("fg", ("B",), False),
        ]

    def test_evidence_of_the_other_text_or_with_wrong_offsets_is_not_marked(self) -> None:
        text = "#ad and more"
        findings = [
            {"code": "A", "severity": "hard", "evidence": [_ev(text, 0, 3, "transcript")]},
            {"code": "B", "severity": "hard", "evidence": [{**_ev(text, 0, 3), "text": "#ab"}]},
            {"code": "C", "severity": "hard", "evidence": [{**_ev(text, 0, 3), "end": 99}]},
        ]
        assert highlight(text, findings, "caption") == [Segment(text)]


def _ev(text: str, start: int, end: int, source: str = "caption") -> dict[str, Any]:
    return {"source": source, "start": start, "end": end, "text": text[start:end]}


class TestCheckAPost:
    def test_the_start_page_has_both_forms_and_the_queue_counts(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        seed(database, reviewer.organization_id, paid_post(UNDISCLOSED), paid_post(BURIED))
        waiting = [
            c for c in stored_checks(database, reviewer.organization_id) if c.verdict != "compliant"
        ]
        page = client.get("/compliance")
        assert page.status_code == 200
        assert 'action="/compliance/check"' in page.text
        assert 'enctype="multipart/form-data"' in page.text
        assert f"<strong>{len(waiting)}</strong> in the queue" in page.text

    def test_a_post_is_stored_and_its_evidence_marked_exactly(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        response = client.post(
            "/compliance/check", data={**form(), "csrf_token": csrf}, follow_redirects=False
        )
        assert response.status_code == 303, response.text
        (check,) = stored_checks(database, reviewer.organization_id)
        assert response.headers["location"] == f"/compliance/checks/{check.id}"
        assert check.checked_by == "user:rob@acme.example"
        assert check.post["caption"] == BURIED
        assert check.reasons == list(check_post(Post.from_dict(check.post)).reasons)
        assert "BURIED_IN_HASHTAGS" in check.reasons

        page = client.get(response.headers["location"])
        assert page.status_code == 200
        evidence = [
            e for f in check.result["findings"] for e in f["evidence"] if e["source"] == "caption"
        ]
        assert evidence
        marked = marks_of(page.text)
        assert marked.max_depth == 1
        for item in evidence:
            assert BURIED[item["start"] : item["end"]] in marked.marks
        assert "Checked the post: non-compliant." in page.text
        for code in check.reasons:
            assert f"<code>{code}</code>" in page.text
        fix = re.search(
            r'<textarea id="suggested-fix"[^>]*readonly[^>]*>([^<]*)</textarea>', page.text
        )
        assert fix and fix.group(1) == check.result["suggested_fix"]

    def test_html_in_a_caption_is_shown_as_text(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        caption = '<script>alert("x")</script> <b>new serum</b> from @glow #ad'
        response = client.post(
            "/compliance/check",
            data={
                **form(caption=caption, transcript="<img src=x onerror=alert(1)>"),
                "csrf_token": csrf,
            },
        )
        assert response.status_code == 200
        assert "<script>alert" not in response.text
        assert "<b>new serum</b>" not in response.text
        assert "<img src=x" not in response.text
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in response.text
        assert "&lt;img src=x onerror=alert(1)&gt;" in response.text
        (check,) = stored_checks(database, reviewer.organization_id)
        assert check.post["caption"] == caption

    def test_a_bad_field_is_422_naming_it_and_keeps_what_was_typed(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        response = client.post(
            "/compliance/check", data={**form(platform="myspace"), "csrf_token": csrf}
        )
        assert response.status_code == 422
        error = re.search(r'id="e-platform">([^<]*)<', response.text)
        assert error and "myspace" in error.group(1)
        assert "#cleanbeauty #ad #sunscreen</textarea>" in response.text
        assert stored_checks(database, reviewer.organization_id) == []

    def test_an_empty_post_is_422_naming_the_caption(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        response = client.post("/compliance/check", data={**form(caption="  "), "csrf_token": csrf})
        assert response.status_code == 422
        assert 'id="e-caption"' in response.text
        assert stored_checks(database, reviewer.organization_id) == []

    def test_without_csrf_token_is_403_and_nothing_is_stored(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        response = client.post("/compliance/check", data=form())
        assert response.status_code == 403
        wrong = client.post("/compliance/check", data={**form(), "csrf_token": csrf + "x"})
        assert wrong.status_code == 403
        assert stored_checks(database, reviewer.organization_id) == []

    def test_a_recruiter_gets_403(
        self, client: TestClient, database: Database, reviewer: WebAccount
    ) -> None:
        recruiter = make_user(database, "acme", "rita@acme.example", "recruiter")
        token = sign_in(client, recruiter)
        for path in (
            "/compliance",
            "/compliance/queue",
            "/compliance/audit",
            "/compliance/export.csv",
        ):
            assert client.get(path).status_code == 403, path
        (check_id,) = seed(database, reviewer.organization_id, paid_post(UNDISCLOSED))
        assert client.get(f"/compliance/checks/{check_id}").status_code == 403
        response = client.post("/compliance/check", data={**form(), "csrf_token": token})
        assert response.status_code == 403
        decided = client.post(
            f"/compliance/checks/{check_id}/decision",
            data={"decision": "confirm_violation", "csrf_token": token},
        )
        assert decided.status_code == 403
        (check,) = stored_checks(database, reviewer.organization_id)
        assert check.review_status == "pending"

    def test_an_admin_may_check(
        self, client: TestClient, database: Database, reviewer: WebAccount
    ) -> None:
        admin = make_user(database, "acme", "ada@acme.example", "admin")
        token = sign_in(client, admin)
        response = client.post("/compliance/check", data={**form(), "csrf_token": token})
        assert response.status_code == 200
        (check,) = stored_checks(database, reviewer.organization_id)
        assert check.checked_by == "user:ada@acme.example"

    def test_signed_out_goes_to_the_login_form(self, client: TestClient) -> None:
        response = client.get("/compliance/queue", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")


class TestCheckPage:
    def test_another_organisations_check_is_404(
        self, client: TestClient, csrf: str, database: Database
    ) -> None:
        other = make_user(database, "globex", "gil@globex.example", "reviewer")
        (check_id,) = seed(database, other.organization_id, paid_post(UNDISCLOSED))
        assert client.get(f"/compliance/checks/{check_id}").status_code == 404
        decided = client.post(
            f"/compliance/checks/{check_id}/decision",
            data={"decision": "confirm_violation", "csrf_token": csrf},
        )
        assert decided.status_code == 404
        (check,) = stored_checks(database, other.organization_id)
        assert check.review_status == "pending"

    def test_a_missing_check_is_404(self, client: TestClient, csrf: str) -> None:
        assert client.get("/compliance/checks/987654").status_code == 404

    def test_findings_show_why_and_link_their_sources(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        (check_id,) = seed(database, reviewer.organization_id, paid_post(UNDISCLOSED))
        (check,) = stored_checks(database, reviewer.organization_id)
        page = client.get(f"/compliance/checks/{check_id}").text
        for finding in check.result["findings"]:
            assert finding["message"] in page
            for url in re.findall(r"https?://[^\s,;()]+[^\s,;().]", finding["source"]):
                assert f'<a href="{url}"' in page

    def test_overlapping_evidence_keeps_the_page_well_formed(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        (check_id,) = seed(database, reviewer.organization_id, paid_post(BURIED))
        (check,) = stored_checks(database, reviewer.organization_id)
        spans = [
            (e["start"], e["end"])
            for f in check.result["findings"]
            for e in f["evidence"]
            if e["source"] == "caption"
        ]
        assert len(spans) > len(set(spans)), "the fixture should give two findings one span"
        page = client.get(f"/compliance/checks/{check_id}").text
        assert marks_of(page).max_depth == 1
        codes = [f["code"] for f in check.result["findings"] if f["evidence"]]
        assert f'title="{", ".join(codes)}"' in page


class TestDecision:
    def test_an_override_without_reason_is_422_naming_reason(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        (check_id,) = seed(database, reviewer.organization_id, paid_post(UNDISCLOSED))
        before = audit_of(database, reviewer.organization_id)
        response = client.post(
            f"/compliance/checks/{check_id}/decision",
            data={
                "decision": "override",
                "verdict": "compliant",
                "reason": " ",
                "csrf_token": csrf,
            },
        )
        assert response.status_code == 422
        error = re.search(r'id="e-reason">([^<]*)<', response.text)
        assert error and "reason" in error.group(1)
        assert '<option value="compliant" selected>' in response.text
        (check,) = stored_checks(database, reviewer.organization_id)
        assert (check.review_status, check.final_verdict) == ("pending", check.verdict)
        assert len(audit_of(database, reviewer.organization_id)) == len(before)

    def test_no_decision_chosen_is_422_naming_decision(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        (check_id,) = seed(database, reviewer.organization_id, paid_post(UNDISCLOSED))
        response = client.post(
            f"/compliance/checks/{check_id}/decision",
            data={"reason": "looked at it", "csrf_token": csrf},
        )
        assert response.status_code == 422
        assert 'id="e-decision"' in response.text
        assert "looked at it</textarea>" in response.text

    def test_a_verdict_without_override_is_422_naming_verdict(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        (check_id,) = seed(database, reviewer.organization_id, paid_post(UNDISCLOSED))
        response = client.post(
            f"/compliance/checks/{check_id}/decision",
            data={"decision": "confirm_violation", "verdict": "compliant", "csrf_token": csrf},
        )
        assert response.status_code == 422
        assert 'id="e-verdict"' in response.text

    def test_an_override_is_recorded_with_the_user_as_actor(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        (check_id,) = seed(database, reviewer.organization_id, paid_post(UNDISCLOSED))
        reason = "Disclosure is burned into the image; <checked> the asset."
        response = client.post(
            f"/compliance/checks/{check_id}/decision",
            data={
                "decision": "override",
                "verdict": "compliant",
                "reason": reason,
                "csrf_token": csrf,
            },
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert response.headers["location"] == f"/compliance/checks/{check_id}"
        (check,) = stored_checks(database, reviewer.organization_id)
        assert check.review_status == "overridden"
        assert check.final_verdict == "compliant"
        assert check.decided_by == "user:rob@acme.example"
        assert check.decision_reason == reason
        event = audit_of(database, reviewer.organization_id)[-1]
        assert (event.actor, event.action, event.reason) == (
            "user:rob@acme.example",
            "compliance.overridden",
            reason,
        )
        page = client.get(response.headers["location"]).text
        assert "&lt;checked&gt;" in page
        assert "compliance.overridden" in page
        assert "Decision recorded: overridden (compliant)." in page

    def test_confirming_a_violation_needs_no_reason_like_the_api(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        (check_id,) = seed(database, reviewer.organization_id, paid_post(UNDISCLOSED))
        response = client.post(
            f"/compliance/checks/{check_id}/decision",
            data={"decision": "confirm_violation", "verdict": "", "reason": "", "csrf_token": csrf},
        )
        assert response.status_code == 200
        assert "Decision recorded: violation confirmed (non-compliant)." in response.text
        (check,) = stored_checks(database, reviewer.organization_id)
        assert (check.review_status, check.final_verdict, check.decision_reason) == (
            "confirmed",
            "non_compliant",
            None,
        )

    def test_confirming_what_needed_review_changes_the_verdict_so_it_needs_a_reason(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        (check_id,) = seed(
            database,
            reviewer.organization_id,
            paid_post("Sponsored by Verdant: my SPF routine", jurisdiction="UK"),
        )
        page = client.get(f"/compliance/checks/{check_id}").text
        assert "Say why if the checker only said it needs review." in page
        bare = client.post(
            f"/compliance/checks/{check_id}/decision",
            data={"decision": "confirm_violation", "reason": "", "csrf_token": csrf},
        )
        assert bare.status_code == 422
        assert 'id="e-reason"' in bare.text
        assert "from needs review to non-compliant" in bare.text
        (check,) = stored_checks(database, reviewer.organization_id)
        assert check.review_status == "pending"
        confirmed = client.post(
            f"/compliance/checks/{check_id}/decision",
            data={
                "decision": "confirm_violation",
                "reason": "'Sponsored by' is not the UK's 'Ad' label",
                "csrf_token": csrf,
            },
        )
        assert "Decision recorded: violation confirmed (non-compliant)." in confirmed.text

    def test_clearing_a_post_needs_a_reason_and_makes_it_compliant(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        (check_id,) = seed(database, reviewer.organization_id, paid_post(UNDISCLOSED))
        bare = client.post(
            f"/compliance/checks/{check_id}/decision",
            data={"decision": "clear", "reason": "", "csrf_token": csrf},
        )
        assert bare.status_code == 422
        assert 'id="e-reason"' in bare.text
        (check,) = stored_checks(database, reviewer.organization_id)
        assert check.review_status == "pending"
        cleared = client.post(
            f"/compliance/checks/{check_id}/decision",
            data={"decision": "clear", "reason": "Label burned in", "csrf_token": csrf},
        )
        assert "Decision recorded: cleared (compliant)." in cleared.text
        (check,) = stored_checks(database, reviewer.organization_id)
        assert (check.review_status, check.final_verdict) == ("cleared", "compliant")
        assert audit_of(database, reviewer.organization_id)[-1].action == "compliance.cleared"

    def test_the_buttons_say_what_they_do_and_the_old_words_are_gone(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        bad, fine = seed(
            database,
            reviewer.organization_id,
            paid_post(UNDISCLOSED),
            paid_post("#ad " + UNDISCLOSED),
        )
        page = client.get(f"/compliance/checks/{bad}").text
        buttons = re.findall(r'<button type="submit" name="decision" value="(\w+)"', page)
        assert buttons == ["confirm_violation", "clear", "override"]
        for label in ("Confirm the violation", "Clear the post", "Override the verdict"):
            assert label in page
        assert ">Approve<" not in page and ">Reject<" not in page
        # Nothing to confirm on a post the checker found compliant.
        compliant = client.get(f"/compliance/checks/{fine}").text
        assert 'value="confirm_violation"' not in compliant
        refused = client.post(
            f"/compliance/checks/{fine}/decision",
            data={"decision": "confirm_violation", "csrf_token": csrf},
        )
        assert refused.status_code == 422 and 'id="e-decision"' in refused.text

    def test_the_old_decisions_are_for_old_api_clients_only(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        (check_id,) = seed(database, reviewer.organization_id, paid_post(UNDISCLOSED))
        response = client.post(
            f"/compliance/checks/{check_id}/decision",
            data={"decision": "approve", "csrf_token": csrf},
        )
        assert response.status_code == 422 and 'id="e-decision"' in response.text
        (check,) = stored_checks(database, reviewer.organization_id)
        assert check.review_status == "pending"

    def test_a_decision_without_csrf_is_403_and_changes_nothing(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        (check_id,) = seed(database, reviewer.organization_id, paid_post(UNDISCLOSED))
        response = client.post(
            f"/compliance/checks/{check_id}/decision", data={"decision": "confirm_violation"}
        )
        assert response.status_code == 403
        (check,) = stored_checks(database, reviewer.organization_id)
        assert check.review_status == "pending"


class TestUpload:
    def upload(self, client: TestClient, csrf: str, text: str, **kwargs: Any) -> Any:
        return client.post(
            "/compliance/upload",
            data={"csrf_token": csrf},
            files={"file": ("posts.jsonl", text.encode(), "application/x-ndjson")},
            **kwargs,
        )

    def test_a_file_is_checked_and_the_queue_shows_it(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        lines = [
            post_line(id="a", caption="#ad " + UNDISCLOSED),
            post_line(id="b", caption=BURIED),
            "",
            post_line(id="c", caption="Sponsored by Verdant: my SPF routine", jurisdiction="UK"),
        ]
        response = self.upload(client, csrf, "\n".join(lines) + "\n", follow_redirects=False)
        assert response.status_code == 303, response.text
        assert response.headers["location"] == "/compliance/queue"
        checks = stored_checks(database, reviewer.organization_id)
        assert [c.external_id for c in checks] == ["a", "b", "c"]
        assert {c.checked_by for c in checks} == {"user:rob@acme.example"}
        verdicts = [c.verdict for c in checks]
        queue = client.get("/compliance/queue").text
        assert (
            f"Checked 3 posts: {verdicts.count('compliant')} compliant, "
            f"{verdicts.count('needs_review')} need review, "
            f"{verdicts.count('non_compliant')} non-compliant"
        ) in queue
        waiting = sorted(
            (c for c in checks if c.review_status == "pending"), key=lambda c: (c.priority, c.id)
        )
        assert waiting
        shown = [int(i) for i in re.findall(r'href="/compliance/checks/(\d+)"', queue)]
        assert shown == [c.id for c in waiting]

    def test_a_bad_line_names_the_line_and_field_and_stores_nothing(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        bad = json.loads(post_line())
        del bad["caption"]
        text = "\n".join([post_line(), post_line(), json.dumps(bad)])
        response = self.upload(client, csrf, text)
        assert response.status_code == 422
        error = re.search(r'id="e-file">([^<]*)<', response.text)
        assert error and error.group(1).startswith("line 3, caption: ")
        assert stored_checks(database, reviewer.organization_id) == []
        assert audit_of(database, reviewer.organization_id) == []

    def test_broken_json_names_the_line(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        response = self.upload(client, csrf, post_line() + "\n{not json\n")
        assert response.status_code == 422
        assert "line 2: invalid JSON" in response.text
        assert stored_checks(database, reviewer.organization_id) == []

    def test_too_many_posts_or_a_long_id_is_refused_whole(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        many = self.upload(client, csrf, "\n".join([post_line()] * 1001))
        assert many.status_code == 422
        assert "at most 1000 posts" in many.text
        long_id = self.upload(client, csrf, post_line() + "\n" + post_line(id="x" * 201))
        assert long_id.status_code == 422
        assert "line 2, id: at most 200 characters" in long_id.text
        assert stored_checks(database, reviewer.organization_id) == []

    def test_no_file_or_an_empty_one_is_422(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        assert self.upload(client, csrf, "\n\n").status_code == 422
        nothing = client.post(
            "/compliance/upload",
            data={"csrf_token": csrf},
            files={"file": ("", b"", "application/octet-stream")},
        )
        assert nothing.status_code == 422
        assert 'id="e-file"' in nothing.text
        assert stored_checks(database, reviewer.organization_id) == []

    def test_without_csrf_nothing_is_stored(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        response = client.post(
            "/compliance/upload",
            files={"file": ("posts.jsonl", post_line().encode(), "application/x-ndjson")},
        )
        assert response.status_code == 403
        assert stored_checks(database, reviewer.organization_id) == []


class TestQueue:
    def test_an_empty_queue_says_so(self, client: TestClient, csrf: str) -> None:
        page = client.get("/compliance/queue")
        assert page.status_code == 200
        assert "Nothing to review" in page.text

    def test_non_compliant_first_then_filters(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        ids = seed(
            database,
            reviewer.organization_id,
            paid_post("Sponsored by Verdant: my SPF routine", jurisdiction="UK"),
            paid_post(UNDISCLOSED),
            paid_post("#ad " + UNDISCLOSED),
        )
        checks = {c.id: c for c in stored_checks(database, reviewer.organization_id)}
        pending = sorted(
            (c for c in checks.values() if c.review_status == "pending"),
            key=lambda c: (c.priority, c.id),
        )
        assert {c.verdict for c in pending} == {"non_compliant", "needs_review"}
        listed = re.findall(
            r'href="/compliance/checks/(\d+)"', client.get("/compliance/queue").text
        )
        assert [int(i) for i in listed] == [c.id for c in pending]

        only = client.get("/compliance/queue?verdict=needs_review&status=pending").text
        assert [int(i) for i in re.findall(r'href="/compliance/checks/(\d+)"', only)] == [
            c.id for c in pending if c.verdict == "needs_review"
        ]
        everything = client.get("/compliance/queue?status=all").text
        assert [int(i) for i in re.findall(r'href="/compliance/checks/(\d+)"', everything)] == ids
        approved = client.get("/compliance/queue?status=approved").text
        assert "No checks match these filters" in approved

    def test_an_unknown_filter_is_422(self, client: TestClient, csrf: str) -> None:
        assert client.get("/compliance/queue?verdict=fine").status_code == 422


class TestAuditLog:
    def test_newest_first_in_pages(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        seed(
            database,
            reviewer.organization_id,
            *[paid_post(f"{UNDISCLOSED} {i}") for i in range(52)],
        )
        events = audit_of(database, reviewer.organization_id)
        first = client.get("/compliance/audit")
        assert first.status_code == 200
        shown = [int(i) for i in re.findall(r'href="/compliance/checks/(\d+)"', first.text)]
        newest = sorted(events, key=lambda e: e.id, reverse=True)
        assert shown == [e.subject_id for e in newest[:50]]
        older = re.search(r'href="(/compliance/audit\?before=\d+)"', first.text)
        assert older
        second = client.get(older.group(1)).text
        rest = [int(i) for i in re.findall(r'href="/compliance/checks/(\d+)"', second)]
        assert rest == [e.subject_id for e in newest[50:]]
        assert "Older entries" not in second


class TestExport:
    def test_the_csv_is_the_apis_and_matches_the_stored_checks(
        self, client: TestClient, settings: Settings, database: Database
    ) -> None:
        api = make_org_with_key(client, settings, database, "acme", ["compliance"])
        reviewer = make_user(database, "acme", "rob@acme.example", "reviewer")
        seed(database, api.org_id, paid_post(UNDISCLOSED), paid_post(BURIED, id="p-2"))
        token = sign_in(client, reviewer)
        (check_id,) = [c.id for c in stored_checks(database, api.org_id)][:1]
        client.post(
            f"/compliance/checks/{check_id}/decision",
            data={
                "decision": "override",
                "verdict": "needs_review",
                "reason": "asked, the label is, on screen",
                "csrf_token": token,
            },
        )
        response = client.get("/compliance/export.csv")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert response.headers["content-disposition"].startswith("attachment;")
        from_api = api.get("/v1/compliance/export")
        assert response.text == from_api.text
        rows = list(csv.DictReader(io.StringIO(response.text)))
        checks = stored_checks(database, api.org_id)
        assert [int(r["check_id"]) for r in rows] == [c.id for c in checks]
        for row, check in zip(rows, checks, strict=True):
            assert row["final_verdict"] == check.final_verdict
            assert row["reasons"] == " ".join(check.reasons)
            assert row["decided_by"] == (check.decided_by or "")
            assert row["caption"] == check.post["caption"]

    def test_a_period_selects_whole_days(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        seed(database, reviewer.organization_id, paid_post(UNDISCLOSED))
        (check,) = stored_checks(database, reviewer.organization_id)
        day = check.created_at.date()
        same = client.get(f"/compliance/export.csv?since={day}&until={day}")
        assert same.status_code == 200
        assert len(list(csv.DictReader(io.StringIO(same.text)))) == 1
        assert f"from-{day}-to-{day}" in same.headers["content-disposition"]
        later = day.replace(year=day.year + 1)
        none = client.get(f"/compliance/export.csv?since={later}")
        assert list(csv.DictReader(io.StringIO(none.text))) == []

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("since=23/11/2026", "since"),
            ("until=2026-02-30", "until"),
            ("since=2026-11-23&until=2026-11-01", "until"),
        ],
    )
    def test_bad_dates_name_the_field(
        self, client: TestClient, csrf: str, query: str, field: str
    ) -> None:
        response = client.get(f"/compliance/export.csv?{query}")
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("text/html")
        assert f'id="e-{field}"' in response.text


def bulk_form(csrf: str, action: str, ids: list[int], **fields: str) -> dict[str, Any]:
    """The queue's bulk form as a reviewer submits it (the default filters: the queue)."""
    return {
        "csrf_token": csrf,
        "action": action,
        "scope": "selected",
        "check_id": [str(i) for i in ids],
        "filter_status": "pending",
        **fields,
    }


class TestQueueWorkflow:
    def test_filters_assignee_column_and_assigned_to_me(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        make_user(database, "acme", "ada@acme.example", "admin")
        bad, buried, uk = seed(
            database,
            reviewer.organization_id,
            paid_post(UNDISCLOSED),
            paid_post(BURIED),
            paid_post("Sponsored by Verdant: my SPF routine", jurisdiction="UK"),
        )
        mine = client.post(
            f"/compliance/checks/{buried}/assignee",
            data={"assign_to": "me", "csrf_token": csrf},
            follow_redirects=False,
        )
        assert mine.status_code == 303
        theirs = client.post(
            f"/compliance/checks/{uk}/assignee",
            data={"assign_to": "user:ada@acme.example", "csrf_token": csrf},
        )
        assert "Assigned to ada@acme.example." in theirs.text

        def shown(query: str) -> list[int]:
            page = client.get(f"/compliance/queue?{query}")
            assert page.status_code == 200, page.text
            return [int(i) for i in re.findall(r'href="/compliance/checks/(\d+)"', page.text)]

        assert shown("assigned=me") == [buried]
        assert shown("assigned=none") == [bad]
        assert shown("assigned=user:ada@acme.example") == [uk]
        assert shown("code=BURIED_IN_HASHTAGS") == [buried]
        assert shown("jurisdiction=UK") == [uk]
        assert shown("platform=tiktok") == []
        page = client.get("/compliance/queue").text
        assert 'href="/compliance/queue?status=pending&amp;assigned=me"' in page
        assert '<td class="assignee">you</td>' in page
        assert page.count('name="check_id"') == 3
        assert client.get("/compliance/queue?code=NOPE").status_code == 422

    def test_bulk_clear_the_ticked_checks(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        ids = seed(database, reviewer.organization_id, *[paid_post(UNDISCLOSED)] * 3)
        response = client.post(
            "/compliance/queue/bulk",
            data=bulk_form(csrf, "clear", ids[:2], reason="Label in the video, checked"),
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        assert response.headers["location"] == "/compliance/queue?status=pending"
        queue = client.get(response.headers["location"]).text
        assert "Cleared 2 checks." in queue
        checks = {c.id: c for c in stored_checks(database, reviewer.organization_id)}
        assert [checks[i].review_status for i in ids] == ["cleared", "cleared", "pending"]
        assert {checks[i].decided_by for i in ids[:2]} == {"user:rob@acme.example"}
        cleared = [
            e
            for e in audit_of(database, reviewer.organization_id)
            if e.action == "compliance.cleared"
        ]
        assert sorted(e.subject_id for e in cleared) == ids[:2]

    def test_a_refused_bulk_changes_nothing_and_keeps_what_was_typed(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        bad, fine = seed(
            database, reviewer.organization_id, paid_post(UNDISCLOSED), paid_post(BURIED)
        )
        no_reason = client.post(
            "/compliance/queue/bulk", data=bulk_form(csrf, "clear", [bad, fine])
        )
        assert no_reason.status_code == 422
        assert 'id="e-reason"' in no_reason.text
        assert f'value="{bad}" aria-label="Select check {bad}" checked' in no_reason.text
        nothing = client.post("/compliance/queue/bulk", data=bulk_form(csrf, "clear", []))
        assert nothing.status_code == 422 and "tick at least one check" in nothing.text
        assert {c.review_status for c in stored_checks(database, reviewer.organization_id)} == {
            "pending"
        }

    def test_bulk_is_all_or_nothing(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        bad, fine = seed(
            database, reviewer.organization_id, paid_post(UNDISCLOSED), paid_post("#ad Hi")
        )
        before = audit_of(database, reviewer.organization_id)
        response = client.post(
            "/compliance/queue/bulk", data=bulk_form(csrf, "confirm_violation", [bad, fine])
        )
        assert response.status_code == 422
        assert f"check {fine}" in response.text
        checks = {c.id: c for c in stored_checks(database, reviewer.organization_id)}
        assert checks[bad].review_status == "pending"
        assert len(audit_of(database, reviewer.organization_id)) == len(before)

    def test_a_bulk_confirmation_of_what_needed_review_needs_a_reason(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        bad, uk = seed(
            database,
            reviewer.organization_id,
            paid_post(UNDISCLOSED),
            paid_post("Sponsored by Verdant: my SPF routine", jurisdiction="UK"),
        )
        refused = client.post(
            "/compliance/queue/bulk", data=bulk_form(csrf, "confirm_violation", [bad, uk])
        )
        assert refused.status_code == 422
        assert 'id="e-reason"' in refused.text and f"check {uk}" in refused.text
        assert {c.review_status for c in stored_checks(database, reviewer.organization_id)} == {
            "pending"
        }
        done = client.post(
            "/compliance/queue/bulk",
            data=bulk_form(csrf, "confirm_violation", [bad, uk], reason="Checked with legal"),
        )
        assert "Confirmed the violation of 2 checks." in done.text

    def test_a_former_reviewers_checks_can_be_found_and_moved(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        make_user(database, "acme", "ada@acme.example", "reviewer")
        bad, buried = seed(
            database, reviewer.organization_id, paid_post(UNDISCLOSED), paid_post(BURIED)
        )
        client.post(
            "/compliance/queue/bulk",
            data={
                **bulk_form(csrf, "assign", [bad, buried]),
                "assign_to": "user:ada@acme.example",
            },
        )
        with database.session() as session:
            ada = UserRepository(session).get_by_email("ada@acme.example")
            assert ada is not None
            ada.disabled_at = utcnow()
        queue = client.get("/compliance/queue").text
        assert '<option value="user:ada@acme.example">ada@acme.example (no longer' in queue
        form = bulk_form(
            csrf, "assign_me", [], scope="filter", filter_assigned="user:ada@acme.example"
        )
        moved = client.post("/compliance/queue/bulk", data=form)
        assert moved.status_code == 200, moved.text
        assert "Assigned 2 checks to you." in moved.text
        assert {c.assignee for c in stored_checks(database, reviewer.organization_id)} == {
            "user:rob@acme.example"
        }

    def test_every_check_matching_the_filter(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        bad, buried = seed(
            database, reviewer.organization_id, paid_post(UNDISCLOSED), paid_post(BURIED)
        )
        form = bulk_form(csrf, "assign_me", [], scope="filter", filter_code="BURIED_IN_HASHTAGS")
        response = client.post("/compliance/queue/bulk", data=form, follow_redirects=False)
        assert response.status_code == 303, response.text
        assert "code=BURIED_IN_HASHTAGS" in response.headers["location"]
        checks = {c.id: c for c in stored_checks(database, reviewer.organization_id)}
        assert (checks[bad].assignee, checks[buried].assignee) == (None, "user:rob@acme.example")

    def test_too_many_matching_checks_are_refused_with_a_clear_message(
        self,
        client: TestClient,
        csrf: str,
        database: Database,
        reviewer: WebAccount,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        import compliance_reviews.service

        monkeypatch.setattr(compliance_reviews.service, "MAX_BULK", 1)
        seed(database, reviewer.organization_id, paid_post(UNDISCLOSED), paid_post(BURIED))
        response = client.post(
            "/compliance/queue/bulk",
            data=bulk_form(csrf, "confirm_violation", [], scope="filter"),
        )
        assert response.status_code == 422
        assert "more than 1 checks match this filter" in response.text
        assert {c.review_status for c in stored_checks(database, reviewer.organization_id)} == {
            "pending"
        }

    def test_another_organisations_check_is_404_and_untouched(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        (ours,) = seed(database, reviewer.organization_id, paid_post(UNDISCLOSED))
        other = make_user(database, "globex", "gil@globex.example", "reviewer")
        (theirs,) = seed(database, other.organization_id, paid_post(UNDISCLOSED))
        response = client.post(
            "/compliance/queue/bulk", data=bulk_form(csrf, "confirm_violation", [ours, theirs])
        )
        assert response.status_code == 404
        assigned = client.post(
            f"/compliance/checks/{theirs}/assignee", data={"assign_to": "me", "csrf_token": csrf}
        )
        assert assigned.status_code == 404
        (check,) = stored_checks(database, other.organization_id)
        assert (check.review_status, check.assignee) == ("pending", None)
        assert stored_checks(database, reviewer.organization_id)[0].review_status == "pending"

    def test_forms_need_the_csrf_token_and_a_reviewer(
        self, client: TestClient, csrf: str, database: Database, reviewer: WebAccount
    ) -> None:
        (check_id,) = seed(database, reviewer.organization_id, paid_post(UNDISCLOSED))
        form = bulk_form(csrf, "assign_me", [check_id])
        del form["csrf_token"]
        assert client.post("/compliance/queue/bulk", data=form).status_code == 403
        assert (
            client.post(
                f"/compliance/checks/{check_id}/assignee", data={"assign_to": "me"}
            ).status_code
            == 403
        )
        assert (
            client.post(f"/compliance/checks/{check_id}/fix", data={"creator_id": "1"}).status_code
            == 403
        )
        recruiter = make_user(database, "acme", "rita@acme.example", "recruiter")
        token = sign_in(client, recruiter)
        assert (
            client.post(
                "/compliance/queue/bulk", data=bulk_form(token, "assign_me", [check_id])
            ).status_code
            == 403
        )
        assert client.get(f"/compliance/checks/{check_id}/fix").status_code == 403
        assert (
            client.post(
                f"/compliance/checks/{check_id}/fix", data={"creator_id": "1", "csrf_token": token}
            ).status_code
            == 403
        )
        (check,) = stored_checks(database, reviewer.organization_id)
        assert check.assignee is None


class TestSendTheFixPage:
    @pytest.fixture
    def creators(
        self, database: Database, settings: Settings, reviewer: WebAccount
    ) -> dict[str, int]:
        """Two creators with e-mail addresses and a sender profile for the reviewer's
        organisation."""
        from creators.record import CreatorRecord
        from creators.service import CreatorService
        from outreach.service import OutreachService
        from tests.factories import creator_record
        from tests.outreach.conftest import SENDER

        with database.session() as session:
            ids = {
                handle: CreatorService()
                .create(
                    session,
                    reviewer.organization_id,
                    CreatorRecord.model_validate(
                        creator_record(handle=handle, email=f"{handle}@creators.example")
                    ),
                )
                .id
                for handle in ("maya.glow", "lena.bakes")
            }
            OutreachService(settings).set_sender(session, reviewer.organization_id, SENDER)
        return ids

    def test_preview_then_send_in_a_dry_run(
        self,
        client: TestClient,
        csrf: str,
        database: Database,
        reviewer: WebAccount,
        creators: dict[str, int],
    ) -> None:
        (check_id,) = seed(database, reviewer.organization_id, paid_post(BURIED))
        page = client.get(f"/compliance/checks/{check_id}").text
        assert f'action="/compliance/checks/{check_id}/fix"' in page
        preview = client.get(
            f"/compliance/checks/{check_id}/fix", params={"creator": "maya.glow@creators.example"}
        )
        assert preview.status_code == 200, preview.text
        (check,) = stored_checks(database, reviewer.organization_id)
        assert "&lt;maya.glow@creators.example&gt;" in preview.text
        assert check.result["suggested_fix"] in preview.text
        assert "Send the fix (dry run)" in preview.text
        assert f'name="creator_id" value="{creators["maya.glow"]}"' in preview.text
        sent = client.post(
            f"/compliance/checks/{check_id}/fix",
            data={"creator_id": str(creators["maya.glow"]), "csrf_token": csrf},
            follow_redirects=False,
        )
        assert sent.status_code == 303, sent.text
        page = client.get(sent.headers["location"]).text
        assert "Dry run: the fix e-mail to maya.glow@creators.example is in the outbox" in page
        assert "compliance.fix_sent" in page
        assert "@maya.glow" in page  # the check is linked to the creator now
        from storage.repositories.outreach import OutreachRepository

        with database.session() as session:
            (message,) = OutreachRepository(session).messages(reviewer.organization_id)
            assert (message.kind, message.status, message.compliance_check_id) == (
                "compliance_fix",
                "dry_run",
                check_id,
            )
        # The handle works too, and the linked creator is the default next time.
        again = client.get(f"/compliance/checks/{check_id}/fix")
        assert "&lt;maya.glow@creators.example&gt;" in again.text
        by_handle = client.get(
            f"/compliance/checks/{check_id}/fix", params={"creator": "@lena.bakes"}
        )
        assert "&lt;lena.bakes@creators.example&gt;" in by_handle.text

    def test_an_opted_out_or_unknown_creator_is_said_next_to_the_field(
        self,
        client: TestClient,
        csrf: str,
        database: Database,
        settings: Settings,
        reviewer: WebAccount,
        creators: dict[str, int],
    ) -> None:
        from outreach.service import OutreachService

        (check_id,) = seed(database, reviewer.organization_id, paid_post(BURIED))
        with database.session() as session:
            OutreachService(settings).opt_out(
                session, reviewer.organization_id, creators["maya.glow"], source="reply"
            )
        refused = client.get(
            f"/compliance/checks/{check_id}/fix", params={"creator": "maya.glow@creators.example"}
        )
        assert refused.status_code == 409
        error = re.search(r'id="e-creator">([^<]*)<', refused.text)
        assert error and "opted out" in error.group(1)
        assert (
            "Send the fix" not in refused.text.split("</h1>", 1)[1].split("Preview the e-mail")[1]
        )
        posted = client.post(
            f"/compliance/checks/{check_id}/fix",
            data={"creator_id": str(creators["maya.glow"]), "csrf_token": csrf},
        )
        assert posted.status_code == 409
        unknown = client.get(
            f"/compliance/checks/{check_id}/fix", params={"creator": "nobody@example.com"}
        )
        assert unknown.status_code == 422 and 'id="e-creator"' in unknown.text
        missing = client.get(f"/compliance/checks/{check_id}/fix", params={"creator": "987654"})
        assert missing.status_code == 422 and "987654" in missing.text
        from storage.repositories.outreach import OutreachRepository

        with database.session() as session:
            assert OutreachRepository(session).messages(reviewer.organization_id) == []
