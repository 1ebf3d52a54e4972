"""A reviewer checks a post, reads the verdict with its evidence highlighted, decides on it,
finds the decision in the audit log, and uploads a file of posts to the queue; then a day's
queue: assign it, bulk-clear, confirm a violation, send its fix (a dry run), export."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from compliance import Post
from compliance_reviews.service import ReviewService
from creators.record import CreatorRecord
from creators.service import CreatorService
from outreach.service import OutreachService
from storage.database import Database
from storage.repositories.compliance import ComplianceCheckRepository
from storage.repositories.outreach import OutreachRepository
from tests.browser.conftest import BrowserProblems, LiveServer
from tests.browser.support import keep, sign_in
from tests.factories import creator_record
from tests.outreach.conftest import SENDER
from tests.web_support import WebAccount

BURIED = (
    "Beach day essentials: reapplying @verdantskin SPF 50 every two hours, no sticky feel "
    "at all! #beach #summer #skincare #spf #vegan #cleanbeauty #ad #sunscreen"
)
VERDICTS = {
    "compliant": "Compliant",
    "needs_review": "Needs review",
    "non_compliant": "Non-compliant",
}


def post(post_id: str, caption: str, jurisdiction: str = "US") -> dict[str, object]:
    return {
        "id": post_id,
        "caption": caption,
        "transcript": None,
        "platform": "instagram",
        "media": "image",
        "material_connection": {"type": "paid", "brand": "Verdant Skin"},
        "platform_label": False,
        "jurisdiction": jurisdiction,
    }


def checks_of(database: Database, organization_id: int) -> list[object]:
    with database.session() as session:
        checks = ComplianceCheckRepository(session).list(organization_id, limit=100)
        session.expunge_all()
        return list(checks)


def test_check_a_post_and_decide_on_it(
    page: Page,
    page_problems: BrowserProblems,
    live_server: LiveServer,
    reviewer: WebAccount,
    shot: Callable[[Page, str], Path],
    tmp_path: Path,
) -> None:
    sign_in(page, reviewer)
    expect(page).to_have_url(re.compile(r"/compliance$"))
    expect(page.get_by_text("Nothing to review.")).to_be_visible()
    shot(page, "compliance-start")

    page.get_by_label("Caption", exact=True).fill(BURIED)
    page.get_by_label("Platform", exact=True).select_option("instagram")
    page.get_by_label("Media", exact=True).select_option("image")
    page.get_by_label("Jurisdiction", exact=True).select_option("US")
    page.get_by_label("Material connection", exact=True).select_option("paid")
    page.get_by_label("Brand", exact=True).fill("Verdant Skin")
    page.get_by_role("button", name="Check post").click()
    expect(page).to_have_url(re.compile(r"/compliance/checks/\d+$"))

    (check,) = checks_of(live_server.database, reviewer.organization_id)
    assert check.checked_by == f"user:{reviewer.email}"  # type: ignore[attr-defined]
    result = check.result  # type: ignore[attr-defined]
    expect(page.get_by_role("heading", name="Verdict")).to_be_visible()
    expect(page.locator(".verdict-line .badge").first).to_have_text(VERDICTS[result["verdict"]])
    evidence = {e["text"] for f in result["findings"] for e in f["evidence"]}
    assert evidence
    for text in evidence:
        expect(page.locator("mark.finding", has_text=text).first).to_be_visible()
    for finding in result["findings"]:
        expect(page.get_by_text(finding["message"])).to_be_visible()
    expect(page.get_by_label("Corrected caption")).to_have_value(result["suggested_fix"])
    keep(shot(page, "compliance-verdict"), "compliance-verdict")

    # An override needs a written reason; the error sits next to the field.
    decision_path = f"/compliance/checks/{check.id}/decision"  # type: ignore[attr-defined]
    page_problems.expect(422, decision_path)
    page.get_by_label("New verdict (override only)").select_option("needs_review")
    page.get_by_role("button", name="Override the verdict").click()
    expect(page.locator("#e-reason")).to_contain_text("reason")
    expect(page.get_by_label("New verdict (override only)")).to_have_value("needs_review")
    reason = "The #ad is also burned into the first image; asked for it up front next time."
    page.get_by_label("Reason", exact=True).fill(reason)
    page.get_by_role("button", name="Override the verdict").click()
    expect(page.get_by_role("status")).to_have_text("Decision recorded: overridden (needs review).")
    expect(page.locator(".verdict-line .badge").first).to_have_text("Needs review")

    page.get_by_role("navigation", name="Compliance").get_by_role("link", name="Audit log").click()
    newest = page.locator("table.audit tbody tr").first
    expect(newest).to_contain_text("compliance.overridden")
    expect(newest).to_contain_text(f"user:{reviewer.email}")
    expect(newest).to_contain_text(reason)
    expect(newest.get_by_role("link")).to_have_text(f"Check {check.id}")  # type: ignore[attr-defined]

    # A file of posts: checked in one go, then the queue.
    lines = [
        post("ig-1", "#ad My morning routine with @verdantskin SPF 50"),
        post("ig-2", "Obsessed with Verdant SPF 50! Use my code MAYA15 for 15% off"),
        post("ig-3", "Sponsored by Verdant Skin: my SPF routine on a grey morning", "UK"),
    ]
    upload = tmp_path / "posts.jsonl"
    upload.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    page.get_by_role("navigation", name="Compliance").get_by_role(
        "link", name="Check posts"
    ).click()
    page.get_by_label("JSONL file").set_input_files(upload)
    page.get_by_role("button", name="Upload and check").click()
    expect(page).to_have_url(re.compile(r"/compliance/queue$"))
    stored = [c for c in checks_of(live_server.database, reviewer.organization_id) if c.external_id]  # type: ignore[attr-defined]
    verdicts = [c.verdict for c in stored]  # type: ignore[attr-defined]
    expect(page.get_by_role("status")).to_have_text(
        f"Checked 3 posts: {verdicts.count('compliant')} compliant, "
        f"{verdicts.count('needs_review')} need review, "
        f"{verdicts.count('non_compliant')} non-compliant"
    )
    waiting = sorted(
        (c for c in stored if c.review_status == "pending"),  # type: ignore[attr-defined]
        key=lambda c: (c.priority, c.id),  # type: ignore[attr-defined]
    )
    links = page.locator('table.queue tbody tr a[href^="/compliance/checks/"]')
    expect(links).to_have_text([f"Check {c.id}" for c in waiting])  # type: ignore[attr-defined]
    keep(shot(page, "compliance-queue"), "compliance-queue")


def test_the_verdict_page_fits_a_phone(
    phone_page: Page,
    live_server: LiveServer,
    reviewer: WebAccount,
    shot: Callable[[Page, str], Path],
) -> None:
    with live_server.database.session() as session:
        (stored,) = ReviewService().check_and_store(
            session,
            reviewer.organization_id,
            [Post.from_dict(post("ig-9", BURIED))],
            actor="api-key:test",
        )
        check_id = stored.check.id
        evidence = stored.check.result["findings"][0]["evidence"][0]["text"]
    sign_in(phone_page, reviewer)
    phone_page.goto(f"/compliance/checks/{check_id}")
    expect(phone_page.locator("mark.finding", has_text=evidence).first).to_be_visible()
    expect(phone_page.get_by_role("button", name="Confirm the violation")).to_be_visible()
    overflow = phone_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the phone"
    shot(phone_page, "compliance-verdict-phone")


def test_a_reviewers_day_with_the_queue(
    page: Page,
    live_server: LiveServer,
    reviewer: WebAccount,
    shot: Callable[[Page, str], Path],
) -> None:
    """Assign the queue to me, bulk-clear what needs review, confirm one violation, send
    its fix to the creator (a dry run) and export the day's CSV: all from the pages."""
    database = live_server.database
    org = reviewer.organization_id
    with database.session() as session:
        maya = CreatorService().create(
            session,
            org,
            CreatorRecord.model_validate(
                creator_record(
                    handle="maya.glow", display_name="Maya", email="maya@creators.example"
                )
            ),
        )
        OutreachService(live_server.settings).set_sender(session, org, SENDER)
        ReviewService().check_and_store(
            session,
            org,
            [
                Post.from_dict(
                    post("ig-1", "Obsessed with Verdant SPF 50! Code MAYA15 for 15% off")
                ),
                Post.from_dict(post("ig-2", BURIED)),
                Post.from_dict(post("uk-1", "Sponsored by Verdant Skin: my SPF routine", "UK")),
                Post.from_dict(post("uk-2", "In partnership with @verdantskin: SPF 50 test", "UK")),
            ],
            actor="api-key:crm",
        )
        maya_id = maya.id
    stored = {c.external_id: c for c in checks_of(database, org)}  # type: ignore[attr-defined]
    needs_review = sorted(k for k, c in stored.items() if c.verdict == "needs_review")  # type: ignore[attr-defined]
    assert needs_review == ["uk-1", "uk-2"], {k: c.verdict for k, c in stored.items()}  # type: ignore[attr-defined]

    sign_in(page, reviewer)
    page.goto("/compliance/queue")
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(4)

    # 1. Take the whole queue: select all, assign to me.
    page.get_by_label("Select every check on this page").check()
    for box in page.locator('input[name="check_id"]').all():
        expect(box).to_be_checked()
    page.get_by_role("button", name="Assign to me", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Assigned 4 checks to you.")
    page.get_by_role("link", name="Assigned to me").click()
    expect(rows).to_have_count(4)
    expect(rows.first.locator("td.assignee")).to_have_text("you")

    # 2. Bulk-clear what only needs review: filter, tick (by keyboard too), one reason.
    page.get_by_label("Verdict", exact=True).select_option("needs_review")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(2)
    first_box = page.locator('input[name="check_id"]').first
    first_box.focus()
    page.keyboard.press("Space")
    expect(first_box).to_be_checked()
    page.locator('input[name="check_id"]').nth(1).check()
    page.get_by_label("Reason (one for all)").fill(
        "UK posts: 'Ad' is on screen in both videos; checked each one."
    )
    page.get_by_role("button", name="Clear the post").click()
    expect(page.get_by_role("status")).to_have_text("Cleared 2 checks.")
    expect(page.get_by_text("Nothing to review")).to_be_visible()

    # 3. Confirm one violation, from its page.
    page.goto("/compliance/queue?status=pending&assigned=me")
    expect(rows).to_have_count(2)
    shot(page, "compliance-queue-mine")
    rows.first.get_by_role("link").click()
    page.get_by_role("button", name="Confirm the violation").click()
    expect(page.get_by_role("status")).to_have_text(
        "Decision recorded: violation confirmed (non-compliant)."
    )

    # 4. Send the fix to the creator: preview, then send (a dry run).
    page.get_by_label("Creator", exact=True).fill("maya@creators.example")
    page.get_by_role("button", name="Preview the e-mail").click()
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    confirmed = next(
        c
        for c in checks_of(database, org)
        if c.review_status == "confirmed"  # type: ignore[attr-defined]
    )
    fix = confirmed.result["suggested_fix"]  # type: ignore[attr-defined]
    expect(page.locator("pre.email-text")).to_contain_text(fix)
    expect(page.locator("pre.email-text")).to_contain_text(
        "A material connection must be disclosed."
    )
    keep(shot(page, "compliance-fix"), "compliance-fix")
    page.get_by_role("button", name="Send the fix (dry run)").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Dry run: the fix e-mail to maya@creators.example is in the outbox"
    )
    with database.session() as session:
        (message,) = OutreachRepository(session).messages(org, kind="compliance_fix")
        assert (message.status, message.creator_id) == ("dry_run", maya_id)

    # 5. The day's CSV, from the audit log.
    page.get_by_role("navigation", name="Compliance").get_by_role("link", name="Audit log").click()
    expect(page.locator("table.audit tbody tr").first).to_contain_text("compliance.fix_sent")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    exported = {row["post_id"]: row for row in csv.DictReader(io.StringIO(text))}
    assert {exported[k]["decision"] for k in needs_review} == {"clear"}
    assert {exported[k]["final_verdict"] for k in needs_review} == {"compliant"}
    mine = exported[str(confirmed.external_id)]  # type: ignore[attr-defined]
    assert (mine["decision"], mine["decided_by"], mine["assignee"]) == (
        "confirm_violation",
        f"user:{reviewer.email}",
        f"user:{reviewer.email}",
    )
    assert (mine["brand"], mine["connection_type"], mine["suggested_fix"]) == (
        "Verdant Skin",
        "paid",
        fix,
    )
    shot(page, "compliance-audit")


def test_the_queue_fits_a_phone(
    phone_page: Page,
    live_server: LiveServer,
    reviewer: WebAccount,
    shot: Callable[[Page, str], Path],
) -> None:
    with live_server.database.session() as session:
        ReviewService().check_and_store(
            session,
            reviewer.organization_id,
            [Post.from_dict(post(f"ig-{i}", BURIED)) for i in range(3)],
            actor="api-key:test",
        )
    sign_in(phone_page, reviewer)
    phone_page.goto("/compliance/queue")
    expect(phone_page.get_by_role("button", name="Clear the post")).to_be_visible()
    phone_page.get_by_label("Select every check on this page").check()
    overflow = phone_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the phone"
    shot(phone_page, "compliance-queue-phone")
