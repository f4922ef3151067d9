def test_a_missing_page_is_shown_in_the_site_layout_in_the_readers_language(client, db):
    response = client.get("/assets/999999999/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body and 'id="main"' in body and "Concept Cloud" in body
    japanese = client.get("/assets/999999999/", HTTP_ACCEPT_LANGUAGE="ja")
    assert "ページが見つかりません" in japanese.content.decode()


def test_the_server_error_page_needs_no_context_and_speaks_both_languages():
    from django.template.loader import get_template

    body = get_template("500.html").render({})
    assert "Something went wrong" in body and "エラー" in body


def test_pages_may_run_only_the_platforms_own_scripts(client, db):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
