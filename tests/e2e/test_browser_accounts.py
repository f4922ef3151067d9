"""The account area, the people and organisation directory and the operator's
admin, used in Chromium the way a person uses them.

    sign-up          bad input by the fields, then a new account signed in
    sign-in limit    5 failures lock the account for that address (429, English)
    passwords        change (bad current password, then good); reset by e-mail
    profile          ORCID check, profile in /people/ and on the person page
    API tokens       secret shown once, works as Bearer, revoked → 401
    organisations    bad input, create, edit, invite by e-mail, accept, roles,
                     admin pages closed (404) to non-admins
    operator         withdraw an asset and suspend a person in /admin/
    language         the header switch to 日本語 and back, remembered
    accessibility    named fields, one <main>, one h1 on the account pages

E-mails are read from django.core.mail.outbox: the live server runs in the test
process with the in-memory mail backend.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from conceptcloud.accounts.models import ApiToken, Membership, Organisation, User
from conceptcloud.accounts.services import user_set_operator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse 42"  # the password of the root conftest's make_user
NEW_PASSWORD = "a much better secret 77"
GOOD_ORCID = "0000-0002-1825-0097"
URL = re.compile(r"https?://\S+")


# --- Helpers: what a person does -----------------------------------------------


@pytest.fixture
def new_page(browser, browser_context_args):
    """new_page() → a page in a browser context of its own: another person, other cookies."""
    contexts = []

    def make():
        context = browser.new_context(**browser_context_args)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def submit(page, button):
    """Click a form's button and wait for the page the browser lands on; returns its response."""
    with page.expect_navigation() as navigation:
        button.click()
    return navigation.value


def main(page):
    return page.get_by_role("main")


def header(page):
    return page.get_by_role("banner")


def field(scope, label):
    """The form field with this label, as a person reads it: required ones end in " *"."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def expect_heading(page, text):
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def expect_signed_in_as(page, name):
    expect(header(page).get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(header(page).get_by_role("button", name="Sign out")).to_be_visible()


def expect_field_error(page, label, message):
    """The message is shown, and it is the field's description: it is read out with the field."""
    widget = field(main(page), label)
    expect(widget).to_have_attribute("aria-invalid", "true")
    expect(widget).to_have_accessible_description(re.compile(re.escape(message)))
    expect(main(page).get_by_text(message, exact=True)).to_be_visible()


def sign_in(page, base_url, identifier, password=PASSWORD):
    """Fill in the sign-in form and send it; returns the response of the page shown next."""
    page.goto(base_url + "/account/login/")
    field(main(page), "Username or e-mail address").fill(identifier)
    field(main(page), "Password").fill(password)
    return submit(page, main(page).get_by_role("button", name="Sign in"))


def sign_out(page, button="Sign out"):
    submit(page, header(page).get_by_role("button", name=button))


def fill_signup(page, *, username, email, display_name, password1, password2):
    form = main(page)
    field(form, "Username").fill(username)
    field(form, "E-mail address").fill(email)
    field(form, "Display name").fill(display_name)
    field(form, "Password").fill(password1)
    field(form, "Password again").fill(password2)
    return submit(page, form.get_by_role("button", name="Sign up"))


def last_link_mailed_to(address):
    """The address in the newest e-mail to `address`."""
    messages = [message for message in mail.outbox if address in message.to]
    assert messages, f"no e-mail to {address}"
    return URL.search(messages[-1].body).group(0)


def sign_in_in_japanese(page, base_url, identifier, password=PASSWORD):
    page.goto(base_url + "/account/login/")
    field(main(page), "ユーザー名またはメールアドレス").fill(identifier)
    field(main(page), "パスワード").fill(password)
    return submit(page, main(page).get_by_role("button", name="サインイン"))


def switch_language(page, language, *, label="Language", button="Switch"):
    field(header(page), label).select_option(label=language)
    submit(page, header(page).get_by_role("button", name=button))


# --- Sign-up --------------------------------------------------------------------


def test_sign_up_shows_bad_input_by_the_fields_creates_nobody_and_then_signs_the_person_in(live_server, page, make_user):
    make_user("hanako", display_name="Hanako Yamada")
    page.goto(live_server.url + "/")
    submit(page, header(page).get_by_role("link", name="Sign up"))
    expect_heading(page, "Create your account")

    fill_signup(
        page, username="kenji", email="kenji@example.org", display_name="Kenji Sato",
        password1=NEW_PASSWORD, password2=NEW_PASSWORD + "!",
    )
    expect(main(page).get_by_role("alert")).to_contain_text("Please correct the errors below.")
    expect_field_error(page, "Password again", "The two passwords differ.")
    # What was typed (but never a password) is still there to correct.
    expect(field(main(page), "Username")).to_have_value("kenji")
    expect(field(main(page), "Password")).to_have_value("")

    fill_signup(
        page, username="HANAKO", email="kenji.example.org", display_name="Kenji Sato",
        password1="12345678", password2="12345678",
    )
    expect_field_error(page, "Username", "This username is taken.")
    expect_field_error(page, "E-mail address", "Enter a valid e-mail address.")
    expect_field_error(page, "Password", "This password is entirely numeric.")
    expect(field(main(page), "Display name")).not_to_have_attribute("aria-invalid", "true")
    expect(header(page).get_by_role("link", name="Sign in")).to_be_visible()
    assert list(User.objects.values_list("username", flat=True)) == ["hanako"]

    fill_signup(
        page, username="kenji", email="kenji@example.org", display_name="Kenji Sato",
        password1=NEW_PASSWORD, password2=NEW_PASSWORD,
    )
    expect_heading(page, "Your profile")
    expect(main(page).get_by_role("status")).to_contain_text("Welcome to Concept Cloud!")
    expect_signed_in_as(page, "Kenji Sato")
    kenji = User.objects.get(username="kenji")
    assert kenji.email == "kenji@example.org" and kenji.check_password(NEW_PASSWORD)


# --- Sign-in and its rate limit -------------------------------------------------


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one_but_not_other_accounts(
    live_server, page, make_user
):
    make_user("alice", display_name="Alice Tanaka")
    make_user("bob", display_name="Bob Smith")

    for attempt in range(1, 5):
        response = sign_in(page, live_server.url, "alice", "wrong password")
        assert response.status == 200, attempt
        expect_heading(page, "Sign in")
        expect(main(page).get_by_role("alert")).to_contain_text("Please enter a correct username and password.")
    # The fifth failure reaches the limit: that very attempt is already refused.
    response = sign_in(page, live_server.url, "alice", "wrong password")
    assert response.status == 429
    expect_heading(page, "Too many sign-in attempts")

    response = sign_in(page, live_server.url, "alice", PASSWORD)
    assert response.status == 429
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect_heading(page, "Too many sign-in attempts")
    expect(main(page).get_by_role("alert")).to_contain_text(
        "Signing in failed 5 times in a row, so signing in to this account from your network is paused."
    )
    expect(main(page).get_by_role("alert")).to_contain_text("Please try again in 15 minutes.")
    expect(main(page).get_by_role("link", name="Reset your password")).to_be_visible()
    expect(header(page).get_by_role("link", name="Sign in")).to_be_visible()

    sign_in(page, live_server.url, "bob", PASSWORD)
    expect_signed_in_as(page, "Bob Smith")


# --- Passwords --------------------------------------------------------------------


def test_password_change_refuses_a_wrong_current_password_then_changes_it(live_server, page, make_user):
    make_user("alice", display_name="Alice Tanaka")
    sign_in(page, live_server.url, "alice")
    page.goto(live_server.url + "/account/profile/")
    submit(page, main(page).get_by_role("navigation", name="Your account").get_by_role("link", name="Password"))
    expect_heading(page, "Change your password")

    form = main(page)
    field(form, "Current password").fill("not my password")
    field(form, "New password").fill(NEW_PASSWORD)
    field(form, "New password again").fill(NEW_PASSWORD)
    submit(page, form.get_by_role("button", name="Change password"))
    expect_field_error(page, "Current password", "Your current password is not correct.")
    assert User.objects.get(username="alice").check_password(PASSWORD)

    field(form, "Current password").fill(PASSWORD)
    field(form, "New password").fill(NEW_PASSWORD)
    field(form, "New password again").fill(NEW_PASSWORD)
    submit(page, form.get_by_role("button", name="Change password"))
    expect_heading(page, "Your profile")
    expect(main(page).get_by_role("status")).to_have_text("Your password is changed.")
    expect_signed_in_as(page, "Alice Tanaka")

    sign_out(page)
    sign_in(page, live_server.url, "alice", PASSWORD)
    expect(main(page).get_by_role("alert")).to_contain_text("Please enter a correct username and password.")
    sign_in(page, live_server.url, "alice", NEW_PASSWORD)
    expect_signed_in_as(page, "Alice Tanaka")


def test_a_forgotten_password_is_reset_through_the_e_mailed_link(live_server, page, make_user):
    make_user("alice", display_name="Alice Tanaka", email="alice@example.org")
    page.goto(live_server.url + "/account/login/")
    submit(page, main(page).get_by_role("link", name="Forgot your password?"))
    expect_heading(page, "Reset your password")
    field(main(page), "Email").fill("alice@example.org")
    submit(page, main(page).get_by_role("button", name="Send the link"))
    expect_heading(page, "Check your e-mail")

    assert [message.subject for message in mail.outbox] == ["Choose a new password for Concept Cloud"]
    assert "Your username is alice." in mail.outbox[0].body
    link = last_link_mailed_to("alice@example.org")
    assert link.startswith(live_server.url + "/account/password/reset/")

    page.goto(link)
    expect_heading(page, "Choose a new password")
    field(main(page), "New password").fill("short")
    field(main(page), "New password again").fill("short")
    submit(page, main(page).get_by_role("button", name="Set the new password"))
    expect_field_error(page, "New password", "This password is too short. It must contain at least 8 characters.")

    field(main(page), "New password").fill(NEW_PASSWORD)
    field(main(page), "New password again").fill(NEW_PASSWORD)
    submit(page, main(page).get_by_role("button", name="Set the new password"))
    expect_heading(page, "Your new password is set")

    submit(page, main(page).get_by_role("link", name="Sign in"))
    sign_in(page, live_server.url, "alice", NEW_PASSWORD)
    expect_signed_in_as(page, "Alice Tanaka")

    # The link worked once.
    page.goto(link)
    expect_heading(page, "This link does not work any more")


# --- Profile and the people directory ------------------------------------------


def test_the_profile_refuses_a_bad_orcid_id_and_shows_a_good_profile_in_the_directory(live_server, page, make_user):
    alice = make_user("alice", display_name="Alice Tanaka")
    make_user("bob", display_name="Bob Smith")
    sign_in(page, live_server.url, "alice")
    page.goto(live_server.url + "/account/profile/")
    expect_heading(page, "Your profile")

    form = main(page)
    field(form, "Affiliation").fill("Kyoto University")
    field(form, "Country").select_option(label="Japan")
    field(form, "Languages you work in").select_option(label=["English", "Japanese"])
    field(form, "Skills").fill("robotics, patent drafting")
    field(form, "Short bio").fill("I build walking robots.")
    field(form, "ORCID iD").fill("0000-0002-1825-0098")
    submit(page, form.get_by_role("button", name="Save profile"))
    expect_field_error(
        page, "ORCID iD", "Not a valid ORCID iD (format 0000-0000-0000-000X, with a correct check digit)."
    )
    # The form keeps what was typed, and nothing was saved.
    expect(field(form, "Affiliation")).to_have_value("Kyoto University")
    alice.refresh_from_db()
    assert (alice.affiliation, alice.country, alice.skills, alice.orcid) == ("", "", [], "")
    page.goto(live_server.url + "/people/alice/")
    expect(main(page)).not_to_contain_text("Kyoto University")

    page.goto(live_server.url + "/account/profile/")
    field(form, "Affiliation").fill("Kyoto University")
    field(form, "Country").select_option(label="Japan")
    field(form, "Languages you work in").select_option(label=["English", "Japanese"])
    field(form, "Skills").fill("robotics, patent drafting")
    field(form, "ORCID iD").fill(f"https://orcid.org/{GOOD_ORCID}")
    submit(page, form.get_by_role("button", name="Save profile"))
    expect(main(page).get_by_role("status")).to_have_text("Your profile is saved.")
    expect(field(form, "ORCID iD")).to_have_value(GOOD_ORCID)

    submit(page, main(page).get_by_role("link", name="Your public profile"))
    expect_heading(page, "Alice Tanaka @alice")
    details = main(page).locator("dl.meta")
    expect(details).to_contain_text("Kyoto University")
    expect(details).to_contain_text("Japan")
    expect(details).to_contain_text("English, Japanese")
    orcid = main(page).get_by_role("link", name=f"https://orcid.org/{GOOD_ORCID}")
    expect(orcid).to_have_attribute("href", f"https://orcid.org/{GOOD_ORCID}")
    expect(main(page).get_by_role("link", name="robotics", exact=True)).to_be_visible()
    expect(main(page).get_by_role("link", name="patent drafting", exact=True)).to_be_visible()

    submit(page, header(page).get_by_role("link", name="People"))
    expect_heading(page, "People")
    expect(main(page).get_by_role("status")).to_have_text("2 people")
    card = main(page).get_by_role("listitem").filter(has=page.get_by_role("heading", name="Alice Tanaka"))
    expect(card).to_contain_text("@alice · Kyoto University · Japan")
    expect(card.get_by_role("list", name="Skills")).to_contain_text("robotics")

    search = main(page).get_by_role("search")
    field(search, "Skill").fill("robotics")
    submit(page, search.get_by_role("button", name="Filter"))
    expect(main(page).get_by_role("status")).to_have_text("1 person")
    expect(main(page).get_by_role("heading", name="Alice Tanaka")).to_be_visible()
    expect(main(page).get_by_role("heading", name="Bob Smith")).to_have_count(0)

    field(search, "Skill").fill("ceramics")
    submit(page, search.get_by_role("button", name="Filter"))
    expect(main(page)).to_contain_text("Nobody matches these filters.")

    # A skill on the person page leads to everyone with that skill.
    page.goto(live_server.url + "/people/alice/")
    submit(page, main(page).get_by_role("link", name="patent drafting", exact=True))
    expect(field(main(page).get_by_role("search"), "Skill")).to_have_value("patent drafting")
    expect(main(page).get_by_role("status")).to_have_text("1 person")


# --- API tokens -------------------------------------------------------------------


def test_an_api_token_is_shown_once_works_as_bearer_and_stops_working_when_revoked(
    live_server, page, playwright, make_user
):
    make_user("alice", display_name="Alice Tanaka")
    sign_in(page, live_server.url, "alice")
    page.goto(live_server.url + "/account/profile/")
    submit(page, main(page).get_by_role("navigation", name="Your account").get_by_role("link", name="API tokens"))
    expect_heading(page, "API tokens")
    expect(main(page)).to_contain_text("You have no tokens.")

    submit(page, main(page).get_by_role("button", name="Create token"))
    expect_field_error(page, "Token name", "This field is required.")

    field(main(page), "Token name").fill("nightly import script")
    response = submit(page, main(page).get_by_role("button", name="Create token"))
    assert "no-store" in response.headers["cache-control"]
    expect_heading(page, "Your new token “nightly import script”")
    expect(main(page).get_by_role("alert")).to_contain_text("Copy it now: this is the only time it is shown.")
    secret = main(page).locator("output#token-secret").inner_text().strip()
    assert len(secret) > 20
    token = ApiToken.objects.get(name="nightly import script")
    assert secret.startswith(token.prefix)

    submit(page, main(page).get_by_role("link", name="Done"))
    page.reload()
    expect_heading(page, "API tokens")
    row = main(page).get_by_role("row").filter(has_text="nightly import script")
    expect(row).to_contain_text(f"{token.prefix}…")
    expect(row).to_contain_text("never")
    expect(page.locator("body")).not_to_contain_text(secret)

    # A script holds only the token: no browser session, no cookies.
    script = playwright.request.new_context(base_url=live_server.url)
    try:
        bearer = {"Authorization": f"Bearer {secret}"}
        answer = script.get("/api/v1/people/me", headers=bearer)
        assert answer.status == 200
        assert answer.json()["username"] == "alice"
        assert script.get("/api/v1/people/me").status == 401

        page.reload()
        expect(row).not_to_contain_text("never")
        submit(page, row.get_by_role("button", name="Revoke nightly import script"))
        expect(main(page).get_by_role("status")).to_contain_text("The token “nightly import script” is revoked")
        expect(row).to_contain_text("Revoked")
        expect(row.get_by_role("button")).to_have_count(0)

        refused = script.get("/api/v1/people/me", headers=bearer)
        assert refused.status == 401
        assert refused.headers["content-type"].startswith("application/problem+json")
    finally:
        script.dispose()


# --- Organisations ----------------------------------------------------------------


def fill_organisation(page, *, name, kind, country, website, ror_id, description, button):
    form = main(page)
    field(form, "Name").fill(name)
    field(form, "Type").select_option(label=kind)
    field(form, "Country").select_option(label=country)
    field(form, "Website").fill(website)
    field(form, "ROR id").fill(ror_id)
    field(form, "Description").fill(description)
    return submit(page, form.get_by_role("button", name=button))


def test_an_organisation_is_created_edited_and_joined_by_an_invited_person(live_server, page, new_page, make_user):
    make_user("alice", display_name="Alice Tanaka")
    sign_in(page, live_server.url, "alice")
    submit(page, header(page).get_by_role("link", name="Organisations"))
    submit(page, main(page).get_by_role("link", name="Add your organisation"))
    expect_heading(page, "Create an organisation")

    fill_organisation(
        page, name="Kyoto Robotics Lab", kind="University", country="Japan", website="robotics dot example",
        ror_id="057zh3y97", description="Walking robots.", button="Create organisation",
    )
    expect_field_error(page, "Website", "Enter a valid web address starting with http:// or https://.")
    expect_field_error(page, "ROR id", "Not a valid ROR id (9 characters, e.g. 057zh3y96).")
    assert not Organisation.objects.exists()

    fill_organisation(
        page, name="Kyoto Robotics Lab", kind="University", country="Japan",
        website="https://robotics.example.org", ror_id="https://ror.org/057zh3y96",
        description="Walking robots.", button="Create organisation",
    )
    expect_heading(page, "Kyoto Robotics Lab")
    expect(main(page).get_by_role("status")).to_contain_text("Kyoto Robotics Lab is created and you are its admin.")
    details = main(page).locator("dl.meta")
    expect(details).to_contain_text("University")
    expect(details).to_contain_text("Japan")
    expect(main(page).get_by_role("link", name="https://robotics.example.org")).to_be_visible()
    expect(main(page).get_by_role("link", name="https://ror.org/057zh3y96")).to_be_visible()
    org_url = page.url

    submit(page, main(page).get_by_role("link", name="Edit profile"))
    expect_heading(page, "Edit Kyoto Robotics Lab")
    expect(field(main(page), "ROR id")).to_have_value("057zh3y96")
    field(main(page), "Website").fill("ftp://robotics.example.org")
    submit(page, main(page).get_by_role("button", name="Save"))
    expect_field_error(page, "Website", "Enter a valid web address starting with http:// or https://.")
    field(main(page), "Website").fill("https://robotics.example.org")
    field(main(page), "Description").fill("Walking robots and the patents behind them.")
    submit(page, main(page).get_by_role("button", name="Save"))
    expect(main(page).get_by_role("status")).to_have_text("The organisation profile is saved.")
    expect(main(page)).to_contain_text("Walking robots and the patents behind them.")

    submit(page, main(page).get_by_role("link", name="Members and invitations"))
    expect_heading(page, "Members and invitations")
    members_url = page.url
    field(main(page), "E-mail address").fill("not an address")
    submit(page, main(page).get_by_role("button", name="Send invitation"))
    expect_field_error(page, "E-mail address", "Enter a valid e-mail address.")
    assert not mail.outbox
    field(main(page), "E-mail address").fill("bob@example.org")
    field(main(page), "Role").select_option(label="Member")
    submit(page, main(page).get_by_role("button", name="Send invitation"))
    expect(main(page).get_by_role("status")).to_have_text("An invitation is on its way to bob@example.org.")
    expect(main(page).get_by_role("row").filter(has_text="bob@example.org")).to_contain_text("Alice Tanaka")
    link = last_link_mailed_to("bob@example.org")
    assert link.startswith(live_server.url + "/invitations/")

    # Bob, in his own browser, has no account yet.
    bob = new_page()
    bob.goto(link)
    expect_heading(bob, "Invitation to Kyoto Robotics Lab")
    expect(main(bob)).to_contain_text("Alice Tanaka invites you to join Kyoto Robotics Lab as Member.")
    submit(bob, main(bob).get_by_role("link", name="Create an account"))
    fill_signup(
        bob, username="bob", email="bob@example.org", display_name="Bob Smith",
        password1=NEW_PASSWORD, password2=NEW_PASSWORD,
    )
    expect_heading(bob, "Invitation to Kyoto Robotics Lab")
    expect(main(bob)).to_contain_text("You are signed in as Bob Smith.")
    submit(bob, main(bob).get_by_role("button", name="Accept the invitation"))
    expect_heading(bob, "Kyoto Robotics Lab")
    expect(main(bob).get_by_role("status")).to_have_text("Welcome to Kyoto Robotics Lab!")
    expect(main(bob).get_by_role("link", name="Bob Smith")).to_be_visible()
    expect(main(bob).get_by_role("button", name="Leave Kyoto Robotics Lab")).to_be_visible()
    # A member who is not an admin sees no admin links and cannot open the admin pages.
    expect(main(bob).get_by_role("link", name="Edit profile")).to_have_count(0)
    assert bob.goto(org_url + "edit/").status == 404
    assert bob.goto(members_url).status == 404

    page.reload()
    expect(main(page)).to_contain_text("No pending invitations.")
    bob_row = main(page).get_by_role("row").filter(has_text="@bob")
    expect(field(bob_row, "Role of Bob Smith")).to_have_value("member")
    field(bob_row, "Role of Bob Smith").select_option(label="Admin")
    submit(page, bob_row.get_by_role("button", name="Change"))
    expect(main(page).get_by_role("status")).to_have_text("The role of Bob Smith is now: Admin.")
    expect(field(bob_row, "Role of Bob Smith")).to_have_value("admin")
    assert Membership.objects.get(user__username="bob").role == "admin"

    # Now an admin, Bob may edit.
    bob.goto(org_url)
    submit(bob, main(bob).get_by_role("link", name="Edit profile"))
    expect_heading(bob, "Edit Kyoto Robotics Lab")


def test_people_outside_an_organisation_cannot_reach_its_admin_pages(live_server, page, make_user, make_org):
    alice = make_user("alice")
    make_user("mallory", display_name="Mallory")
    org = make_org(alice, "Alice Lab")
    base = f"{live_server.url}/organisations/{org.slug}/"
    sign_in(page, live_server.url, "mallory")
    expect_signed_in_as(page, "Mallory")
    page.goto(base)
    expect_heading(page, "Alice Lab")
    expect(main(page).get_by_role("link", name="Edit profile")).to_have_count(0)
    for path in ("edit/", "members/"):
        response = page.goto(base + path)
        assert response.status == 404, path
        expect(page.locator("body")).not_to_contain_text("Alice Lab")


# --- The operator -----------------------------------------------------------------


def admin_action(page, row_link, action):
    """Tick the row with this link in an admin list, choose the action and run it."""
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=row_link, exact=True))
    row.get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(label=action)
    submit(page, page.get_by_role("button", name="Go"))


def test_the_operator_withdraws_an_asset_and_suspends_a_person_in_the_admin(
    live_server, page, new_page, make_user, make_asset
):
    operator = user_set_operator(actor=None, user=make_user("olga", display_name="Olga Operator"), operator=True)
    owner = make_user("owner", display_name="Owen Owner")
    make_user("carol", display_name="Carol Spammer")
    asset = make_asset(owner, title="Perpetual motion gear")
    asset_url = f"{live_server.url}/assets/{asset.pk}/"
    reader = new_page()
    assert reader.goto(asset_url).status == 200
    expect_heading(reader, "Perpetual motion gear")

    sign_in(page, live_server.url, operator.username)
    page.goto(live_server.url + "/admin/")
    submit(page, page.get_by_role("link", name="Assets", exact=True))
    admin_action(page, "Perpetual motion gear", "Withdraw the selected assets (moderation)")
    expect(page.get_by_text("1 asset withdrawn: only its owners can see it now.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Perpetual motion gear")).to_contain_text("Withdrawn")

    assert reader.goto(asset_url).status == 404
    expect(reader.locator("body")).not_to_contain_text("Perpetual motion gear")

    page.goto(live_server.url + "/admin/")
    submit(page, page.get_by_role("link", name="Users", exact=True))
    admin_action(page, "carol", "Suspend the selected people")
    expect(
        page.get_by_text("1 person suspended: they can no longer sign in or use their API tokens.")
    ).to_be_visible()

    carol = new_page()
    sign_in(carol, live_server.url, "carol")
    expect_heading(carol, "Sign in")
    expect(main(carol).get_by_role("alert")).to_contain_text(
        "This account is suspended. Write to the operator if you think this is a mistake."
    )
    expect(header(carol).get_by_role("link", name="Sign in")).to_be_visible()
    # Her public profile is gone from the directory too.
    assert carol.goto(live_server.url + "/people/carol/").status == 404


# --- Language -------------------------------------------------------------------


def test_the_language_switch_turns_the_account_pages_japanese_and_back_and_is_remembered(
    live_server, page, make_user, make_org
):
    alice = make_user("alice", display_name="Alice Tanaka")
    org = make_org(alice, "Alice Lab", kind="university", country="JP")
    page.goto(live_server.url + "/account/login/")
    expect_heading(page, "Sign in")

    switch_language(page, "日本語")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page).to_have_url(live_server.url + "/account/login/")
    expect_heading(page, "サインイン")
    expect(field(main(page), "ユーザー名またはメールアドレス")).to_be_visible()
    expect(field(main(page), "パスワード")).to_be_visible()
    expect(main(page).get_by_role("link", name="パスワードをお忘れですか？")).to_be_visible()

    submit(page, header(page).get_by_role("link", name="新規登録"))
    expect_heading(page, "アカウントを作成")
    form = main(page)
    field(form, "ユーザー名").fill("kenji")
    field(form, "メールアドレス").fill("kenji@example.org")
    field(form, "表示名").fill("Kenji Sato")
    field(form, "パスワード").fill(NEW_PASSWORD)
    field(form, "パスワード（確認）").fill(NEW_PASSWORD + "!")
    submit(page, form.get_by_role("button", name="新規登録"))
    expect(main(page).get_by_role("alert")).to_contain_text("以下のエラーを修正してください。")
    expect_field_error(page, "パスワード（確認）", "2 つのパスワードが一致しません。")
    assert not User.objects.filter(username="kenji").exists()

    sign_in_in_japanese(page, live_server.url, "alice")
    page.goto(live_server.url + "/account/profile/")
    expect_heading(page, "プロフィール")
    expect(main(page).get_by_role("heading", name="所属組織")).to_be_visible()
    expect(field(main(page), "仕事で使う言語")).to_be_visible()
    expect(main(page).get_by_role("button", name="プロフィールを保存")).to_be_visible()
    expect(header(page).get_by_role("button", name="サインアウト")).to_be_visible()

    submit(page, main(page).get_by_role("link", name="Alice Lab"))
    expect_heading(page, "Alice Lab")
    details = main(page).locator("dl.meta")
    expect(details).to_contain_text("種別")
    expect(details).to_contain_text("大学")
    expect(details).to_contain_text("日本")
    expect(details).to_contain_text("登録日")
    expect(main(page).get_by_role("heading", name="メンバー")).to_be_visible()
    expect(main(page).get_by_role("link", name="プロフィールを編集")).to_be_visible()

    switch_language(page, "English", label="言語", button="切り替え")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{live_server.url}/organisations/{org.slug}/")
    expect(main(page).locator("dl.meta")).to_contain_text("University")
    submit(page, header(page).get_by_role("link", name="Alice Tanaka"))
    expect_heading(page, "Your profile")
    # The browser asks for English anyway (en-GB): switching to Japanese again
    # and signing out and in shows that the choice itself is what is remembered.
    switch_language(page, "日本語")
    sign_out(page, "サインアウト")
    expect(header(page).get_by_role("link", name="サインイン")).to_be_visible()
    sign_in_in_japanese(page, live_server.url, "alice")
    page.goto(live_server.url + "/people/")
    expect_heading(page, "人材")


# --- Accessibility basics ----------------------------------------------------------


ANONYMOUS_PAGES = ["/account/login/", "/account/signup/", "/account/password/reset/", "/organisations/", "/people/"]
SIGNED_IN_PAGES = [
    "/account/profile/",
    "/account/password/",
    "/account/tokens/",
    "/organisations/new/",
    "/organisations/{org}/",
    "/organisations/{org}/edit/",
    "/organisations/{org}/members/",
    "/people/alice/",
]


def expect_accessible_basics(page):
    expect(page.get_by_role("main")).to_have_count(1)
    expect(page.locator("h1")).to_have_count(1)
    fields = page.locator("input:not([type=hidden]), select, textarea")
    assert fields.count() > 0
    for index in range(fields.count()):
        field = fields.nth(index)
        if field.is_visible():
            expect(field).to_have_accessible_name(re.compile(r"\S"))


@pytest.mark.parametrize("path", ANONYMOUS_PAGES)
def test_account_pages_have_one_main_one_h1_and_named_fields_for_visitors(live_server, page, path):
    assert page.goto(live_server.url + path).status == 200
    expect_accessible_basics(page)


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_account_pages_have_one_main_one_h1_and_named_fields_when_signed_in(
    live_server, page, make_user, make_org, path
):
    alice = make_user("alice", display_name="Alice Tanaka")
    org = make_org(alice, "Alice Lab")
    sign_in(page, live_server.url, "alice")
    expect_signed_in_as(page, "Alice Tanaka")
    assert page.goto(live_server.url + path.format(org=org.slug)).status == 200
    expect_accessible_basics(page)
