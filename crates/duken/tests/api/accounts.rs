//! Sign-in by phone and one-time code (§2, §10): the flow a newcomer takes, and its bad input.

use std::collections::BTreeMap;

use reqwest::StatusCode;

use crate::helpers::{Reply, TestApp};

/// A visitor with a cookie jar.
pub struct Browser<'a> {
    pub app: &'a TestApp,
    pub cookies: BTreeMap<String, String>,
}

impl<'a> Browser<'a> {
    /// Signs in (or up) with the code from the demo outbox.
    pub async fn signed_in(app: &'a TestApp, phone: &str) -> Browser<'a> {
        let mut b = Browser::new(app);
        b.request_code(phone).await;
        let code = code_from_outbox(app, phone).await;
        let reply = b.enter_code(phone, &code).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "signing in {phone}: {}", reply.body);
        b
    }

    pub fn new(app: &'a TestApp) -> Self {
        Browser { app, cookies: BTreeMap::new() }
    }

    fn absorb(&mut self, reply: &Reply) {
        for value in reply.headers.get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if text.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        let reply = self.app.send(self.app.client.get(self.app.url(path)).header("cookie", self.cookie_header())).await;
        self.absorb(&reply);
        reply
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Reply {
        let mut body = form_urlencoded::Serializer::new(String::new());
        for (k, v) in form {
            body.append_pair(k, v);
        }
        let request = self
            .app
            .client
            .post(self.app.url(path))
            .header("cookie", self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.finish());
        let reply = self.app.send(request).await;
        self.absorb(&reply);
        reply
    }

    /// A `multipart/form-data` form as a browser sends a file upload: the fields in order,
    /// then the file.
    pub async fn upload(&mut self, path: &str, fields: &[(&str, &str)], file_name: &str, file: &[u8]) -> Reply {
        const BOUNDARY: &str = "----dukenTestBoundary7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/xml\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        let request = self
            .app
            .client
            .post(self.app.url(path))
            .header("cookie", self.cookie_header())
            .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
            .body(body);
        let reply = self.app.send(request).await;
        self.absorb(&reply);
        reply
    }

    pub fn csrf(&self) -> String {
        self.cookies.get("csrf").cloned().expect("pages set a csrf cookie")
    }

    pub async fn request_code(&mut self, phone: &str) -> Reply {
        if !self.cookies.contains_key("csrf") {
            self.get("/signin").await;
        }
        let csrf = self.csrf();
        self.post("/signin", &[("csrf", &csrf), ("phone", phone), ("accept", "yes")]).await
    }

    pub async fn enter_code(&mut self, phone: &str, code: &str) -> Reply {
        let csrf = self.csrf();
        self.post("/signin/code", &[("csrf", &csrf), ("phone", phone), ("code", code)]).await
    }
}

/// The code in the newest SMS to this number, from the demo outbox.
pub async fn code_from_outbox(app: &TestApp, e164: &str) -> String {
    let sms = app.store.list_sms(10).await.unwrap();
    let body = &sms.iter().find(|m| m.phone == e164).expect("an SMS was sent").body;
    body.split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 6).expect("a 6-digit code").to_owned()
}

async fn count(app: &TestApp, table: &str) -> i64 {
    let sql = format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {table}");
    duken_store::on_pool!(app.store.pool(), |p| sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_one(p)
        .await
        .unwrap())
}

crate::backend_tests! {
    async fn a_newcomer_signs_up_with_the_code_from_the_demo_outbox(app: TestApp) {
        let mut b = Browser::new(&app);
        let page = b.get("/signin?lang=en").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("never asks for a code"), "§10 notice on the sign-in screen");
        assert!(page.header("set-cookie").contains("csrf=") && page.header("set-cookie").contains("HttpOnly"));

        let reply = b.request_code("8 (701) 234-56-78").await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert_eq!(reply.header("location"), "/signin/code?phone=%2B77012345678&next=%2Fprofile");
        let code_page = b.get("/signin/code?phone=%2B77012345678&lang=en").await;
        assert!(code_page.body.contains("+7 701 234 56 78"));
        assert!(code_page.body.contains("never asks for a code"), "§10 notice on the code screen");

        let outbox = b.get("/demo/sms?lang=en").await;
        assert_eq!(outbox.status, StatusCode::OK);
        let code = code_from_outbox(&app, "+77012345678").await;
        assert!(outbox.body.contains(&code));
        let sms = &app.store.list_sms(1).await.unwrap()[0].body;
        assert!(sms.contains("never asks"), "§10 warning in the SMS text: {sms}");

        let reply = b.enter_code("+77012345678", &code).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        assert_eq!(reply.header("location"), "/profile");
        let cookie = reply.header("set-cookie");
        assert!(cookie.contains("session=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");

        let profile = b.get("/profile?lang=en").await;
        assert_eq!(profile.status, StatusCode::OK);
        assert!(profile.body.contains("+7 701 234 56 78"));
        assert!(profile.body.contains("version 1, accepted"), "the acceptance is recorded and shown");
        assert!(profile.body.contains("(this device)"));

        // The code works once.
        let mut other = Browser::new(&app);
        other.get("/signin").await;
        let reply = other.enter_code("+77012345678", &code).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);

        let (audit, _) = app.store.list_audit(None, None, duken_core::PageRequest::first()).await.unwrap();
        let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
        assert!(actions.contains(&"account.created") && actions.contains(&"session.opened"), "{actions:?}");
        assert!(audit.iter().all(|a| !a.reason.contains(&code) && !a.subject.contains(&code)));
        // Only hashes are stored.
        let hashes: Vec<String> = duken_store::on_pool!(app.store.pool(), |p| sqlx::query_scalar("SELECT code_hash FROM login_codes").fetch_all(p).await.unwrap());
        assert!(hashes.iter().all(|h| h.len() == 64 && !h.contains(&code)));
    }

    async fn the_same_answer_for_registered_and_unknown_numbers(app: TestApp) {
        let mut first = Browser::new(&app);
        first.request_code("+77051112233").await;
        let code = code_from_outbox(&app, "+77051112233").await;
        first.enter_code("+77051112233", &code).await;
        // An hour later (so the resend pause says nothing either):
        duken_store::on_pool!(app.store.pool(), |p| sqlx::query("UPDATE login_codes SET created_at = $1")
            .bind(chrono::Utc::now() - chrono::Duration::hours(2))
            .execute(p)
            .await
            .map(|_| ())
            .unwrap());
        // Now one number has an account and the other has none; a stranger asking for codes
        // cannot tell which.
        let mut stranger = Browser::new(&app);
        let registered = stranger.request_code("+77051112233").await;
        let mut stranger2 = Browser::new(&app);
        let unknown = stranger2.request_code("+77059998877").await;
        assert_eq!(registered.status, unknown.status);
        assert_eq!(registered.body, unknown.body);
        assert_eq!(
            registered.header("location").replace("77051112233", "X"),
            unknown.header("location").replace("77059998877", "X")
        );
    }

    async fn bad_numbers_are_refused_with_a_reason_and_send_nothing(app: TestApp) {
        let mut b = Browser::new(&app);
        for (phone, reason) in [
            ("12345", "11 digits"),
            ("+79161234567", "Only Kazakhstan"),
            ("+4915112345678", "Only Kazakhstan"),
            ("+7 727 212 34 56", "not a mobile number"),
            ("<script>alert(1)</script>", "11 digits"),
            ("", "11 digits"),
        ] {
            b.get("/signin?lang=en").await;
            let reply = b.request_code(phone).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{phone}");
            assert!(reply.body.contains(reason), "{phone}: {reason}");
            assert!(!reply.body.contains("<script>alert"));
        }
        let csrf = b.csrf();
        let reply = b.post("/signin", &[("csrf", &csrf), ("phone", "+77012345678")]).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "the agreement must be accepted");
        assert_eq!(count(&app, "login_codes").await, 0);
        assert_eq!(count(&app, "sms_outbox").await, 0);
    }

    async fn forms_without_their_csrf_token_are_refused(app: TestApp) {
        let mut b = Browser::new(&app);
        b.get("/signin").await;
        for form in [vec![("phone", "+77012345678"), ("accept", "yes")], vec![("csrf", "0".repeat(64).leak() as &str), ("phone", "+77012345678"), ("accept", "yes")]] {
            let reply = b.post("/signin", &form).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN);
        }
        // A token in the form but no cookie (another site's page) is refused too.
        let csrf = b.csrf();
        b.cookies.clear();
        let reply = b.post("/signin", &[("csrf", &csrf), ("phone", "+77012345678"), ("accept", "yes")]).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        assert_eq!(count(&app, "login_codes").await, 0);
    }

    async fn codes_are_throttled_per_number_and_per_address_with_retry_after(app: TestApp) {
        let mut b = Browser::new(&app);
        assert_eq!(b.request_code("+77012345678").await.status, StatusCode::SEE_OTHER);
        let reply = b.request_code("+77012345678").await;
        assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
        let wait: u64 = reply.header("retry-after").parse().unwrap();
        assert!((1..=60).contains(&wait), "{wait}");
        // 1 000 requests for one number (through the API, from other addresses): one code.
        for i in 0..1000 {
            let reply = app
                .send(app.client.post(app.url("/api/v1/auth/code")).header("x-forwarded-for", format!("10.1.{}.{}", i / 250, i % 250)).json(&serde_json::json!({"phone": "+77012345678"})))
                .await;
            assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
            assert!(reply.header("retry-after").parse::<u64>().unwrap() > 0);
        }
        // 1 000 requests from one address for as many numbers: stopped at the hourly limit.
        let mut sent = 0;
        for i in 0..1000 {
            let reply = app
                .send(app.client.post(app.url("/api/v1/auth/code")).header("x-forwarded-for", "10.9.9.9").json(&serde_json::json!({"phone": format!("+7702{i:07}")})))
                .await;
            match reply.status {
                StatusCode::ACCEPTED => sent += 1,
                StatusCode::TOO_MANY_REQUESTS => assert!(reply.header("retry-after").parse::<u64>().unwrap() > 0),
                other => panic!("{other}"),
            }
        }
        assert_eq!(sent, 30, "the per-address hourly limit");
        assert_eq!(count(&app, "login_codes").await, 31);
        assert_eq!(count(&app, "sms_outbox").await, 31);
    }

    async fn wrong_expired_and_foreign_codes(app: TestApp) {
        let mut b = Browser::new(&app);
        b.request_code("+77012345678").await;
        let code = code_from_outbox(&app, "+77012345678").await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for remaining in (1..=4).rev() {
            let reply = b.enter_code("+77012345678", wrong).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST);
            assert!(reply.body.contains("Неверный код. Остал") && reply.body.contains(&remaining.to_string()), "{remaining}");
        }
        let reply = b.enter_code("+77012345678", wrong).await;
        assert!(reply.body.contains("больше не действует"), "locked after 5 wrong tries");
        let reply = b.enter_code("+77012345678", &code).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "the right code no longer works once locked");

        // A code sent to one number does not sign in another.
        let mut c = Browser::new(&app);
        c.request_code("+77023334455").await;
        let other_code = code_from_outbox(&app, "+77023334455").await;
        assert_eq!(c.enter_code("+77024445566", &other_code).await.status, StatusCode::BAD_REQUEST);

        // An expired code.
        duken_store::on_pool!(app.store.pool(), |p| sqlx::query("UPDATE login_codes SET created_at = $1 WHERE phone = '+77023334455'")
            .bind(chrono::Utc::now() - chrono::Duration::minutes(6))
            .execute(p)
            .await
            .map(|_| ())
            .unwrap());
        let reply = c.enter_code("+77023334455", &other_code).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert!(reply.body.contains("истёк"));
        for malformed in ["12345", "abcdef", "1234567", ""] {
            assert_eq!(c.enter_code("+77023334455", malformed).await.status, StatusCode::BAD_REQUEST);
        }
        assert_eq!(count(&app, "sessions").await, 0);
    }

    async fn signing_out_everywhere_ends_every_session(app: TestApp) {
        let mut phone_a = Browser::new(&app);
        phone_a.request_code("+77012345678").await;
        let code = code_from_outbox(&app, "+77012345678").await;
        phone_a.enter_code("+77012345678", &code).await;
        duken_store::on_pool!(app.store.pool(), |p| sqlx::query("DELETE FROM login_codes").execute(p).await.map(|_| ()).unwrap());
        let mut laptop = Browser::new(&app);
        laptop.request_code("+77012345678").await;
        let code = code_from_outbox(&app, "+77012345678").await;
        laptop.enter_code("+77012345678", &code).await;
        assert_eq!(laptop.get("/profile").await.status, StatusCode::OK);
        assert_eq!(phone_a.get("/profile").await.status, StatusCode::OK);

        let csrf = phone_a.csrf();
        let reply = phone_a.post("/profile/sessions/revoke", &[("csrf", &csrf)]).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        for b in [&mut phone_a, &mut laptop] {
            let reply = b.get("/profile").await;
            assert_eq!(reply.status, StatusCode::SEE_OTHER);
            assert_eq!(reply.header("location"), "/signin?next=%2Fprofile");
        }
        let (audit, _) = app.store.list_audit(None, None, duken_core::PageRequest::first()).await.unwrap();
        assert!(audit.iter().any(|a| a.action == "session.revoked_all" && a.reason == "2 session(s)"));
    }

    async fn the_audit_log_cannot_be_changed(app: TestApp) {
        app.store
            .audit(&duken_store::audit::AuditEntry { actor: "system", action: "test.written", subject: "test:1", reason: "", request_id: "" })
            .await
            .unwrap();
        let update = duken_store::on_pool!(app.store.pool(), |p| sqlx::query("UPDATE audit_log SET reason = 'rewritten'").execute(p).await.map(|_| ()));
        assert!(update.is_err(), "UPDATE is refused");
        let delete = duken_store::on_pool!(app.store.pool(), |p| sqlx::query("DELETE FROM audit_log").execute(p).await.map(|_| ()));
        assert!(delete.is_err(), "DELETE is refused");
        let (rows, total) = app.store.list_audit(Some("test:1"), None, duken_core::PageRequest::first()).await.unwrap();
        assert_eq!(total, 1);
        assert_eq!(rows[0].reason, "");
    }

    async fn no_code_token_or_phone_secret_reaches_the_logs(app: TestApp) {
        let mut b = Browser::new(&app);
        b.get("/signin").await;
        b.request_code("+77057776655").await;
        let code = code_from_outbox(&app, "+77057776655").await;
        // A wrong try and a right one, so both paths log what they log.
        let wrong = if code == "999999" { "111111" } else { "999999" };
        b.enter_code("+77057776655", wrong).await;
        let reply = b.enter_code("+77057776655", &code).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        let token = b.cookies.get("session").cloned().unwrap();
        let csrf = b.csrf();
        b.get("/profile").await;
        let logs = crate::helpers::captured_logs();
        assert!(logs.contains("path=/signin/code"), "the capture holds this test's requests");
        for (what, secret) in [("session token", token.as_str()), ("csrf token", csrf.as_str())] {
            assert!(!logs.contains(secret), "the {what} appears in the logs");
        }
        // Six digits also occur inside timestamps and latencies by chance; a logged code would
        // stand as a value of its own (`code=123456`, `"123456"`).
        let standalone = logs.match_indices(code.as_str()).any(|(at, _)| {
            let before = logs[..at].chars().last();
            let after = logs[at + code.len()..].chars().next();
            !before.is_some_and(|c| c.is_ascii_digit() || ".:-".contains(c)) && !after.is_some_and(|c| c.is_ascii_digit())
        });
        assert!(!standalone, "the code appears in the logs");
        assert!(!logs.contains("77057776655"), "the phone number is not logged");
    }

    async fn a_token_made_on_the_profile_works_until_revoked(app: TestApp) {
        let mut b = Browser::signed_in(&app, "+77010000001").await;
        let csrf = b.csrf();
        let page = b.post("/profile/tokens?lang=en", &[("csrf", &csrf), ("name", "repricer")]).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.header("cache-control"), "no-store");
        let token: String = page.body.split("dkn_").nth(1).unwrap().chars().take_while(char::is_ascii_hexdigit).collect();
        let token = format!("dkn_{token}");
        let me = app.send(app.client.get(app.url("/api/v1/me")).bearer_auth(&token)).await;
        assert_eq!(me.status, StatusCode::OK);
        let profile = b.get("/profile?lang=en").await;
        assert!(profile.body.contains("repricer") && !profile.body.contains(&token), "listed, never shown again");
        let id = app.store.api_tokens(me.json()["id"].as_i64().unwrap()).await.unwrap()[0].id.to_string();
        assert_eq!(b.post("/profile/tokens/revoke", &[("csrf", &csrf), ("token", &id)]).await.status, StatusCode::SEE_OTHER);
        let me = app.send(app.client.get(app.url("/api/v1/me")).bearer_auth(&token)).await;
        assert_eq!(me.status, StatusCode::UNAUTHORIZED);
        assert_eq!(b.post("/profile/tokens", &[("csrf", &csrf), ("name", "")]).await.status, StatusCode::BAD_REQUEST);
    }

    async fn an_optional_password_signs_in_and_guessing_is_slowed(app: TestApp) {
        let mut b = Browser::signed_in(&app, "+77010000002").await;
        let csrf = b.csrf();
        let password = "Көктем 2026 алма";
        for (pw, repeat, field) in [("short", "short", "password"), ("123456789012", "123456789012", "password"), (password, "other one here", "repeat")] {
            let reply = b.post("/profile/password", &[("csrf", &csrf), ("password", pw), ("repeat", repeat)]).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{field}");
        }
        let reply = b.post("/profile/password", &[("csrf", &csrf), ("password", password), ("repeat", password)]).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        let stored: Option<String> = duken_store::on_pool!(app.store.pool(), |p| sqlx::query_scalar("SELECT password_hash FROM users WHERE phone = '+77010000002'").fetch_one(p).await.unwrap());
        let stored = stored.unwrap();
        assert!(stored.starts_with("argon2id$") && !stored.contains(password));
        b.post("/signout", &[("csrf", &csrf)]).await;

        // Wrong password and unknown number: the same answer.
        let mut guesser = Browser::new(&app);
        guesser.get("/signin?lang=en").await;
        let gcsrf = guesser.csrf();
        let wrong = guesser.post("/signin/password?lang=en", &[("csrf", &gcsrf), ("phone", "+77010000002"), ("password", "not the password")]).await;
        let unknown = guesser.post("/signin/password?lang=en", &[("csrf", &gcsrf), ("phone", "+77050001122"), ("password", "not the password")]).await;
        assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
        assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
        assert!(wrong.body.contains("Wrong number or password") && unknown.body.contains("Wrong number or password"));

        let mut me = Browser::new(&app);
        me.get("/signin").await;
        let mcsrf = me.csrf();
        let reply = me.post("/signin/password", &[("csrf", &mcsrf), ("phone", "8 701 000 00 02"), ("password", password), ("next", "/profile?lang=en")]).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        assert_eq!(reply.header("location"), "/profile?lang=en");
        assert!(me.get("/profile?lang=en").await.body.contains("+7 701 000 00 02"));

        // Five failures for a number, then 429 even with the right password.
        for _ in 0..4 {
            guesser.post("/signin/password", &[("csrf", &gcsrf), ("phone", "+77010000002"), ("password", "guess guess guess")]).await;
        }
        let reply = guesser.post("/signin/password", &[("csrf", &gcsrf), ("phone", "+77010000002"), ("password", password)]).await;
        assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(!reply.header("retry-after").is_empty());

        let (audit, _) = app.store.list_audit(None, None, duken_core::PageRequest::first()).await.unwrap();
        assert!(audit.iter().any(|a| a.action == "account.password_set"));
        assert!(audit.iter().any(|a| a.action == "session.opened" && a.reason == "password"));
        assert!(!crate::helpers::captured_logs().contains(password), "the password is never logged");
    }
}
