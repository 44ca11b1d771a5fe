//! Users, sessions and API tokens: stored, found, ended, and never listed as GIS layers.

use bonifica_store::prelude::*;
use bonifica_store::{NewApiToken, NewUser, Session, StoreError};
use rusqlite::Connection;

use crate::fixture::new_store;

fn viewer() -> NewUser {
    NewUser {
        username: "viewer".to_string(),
        password_hash: "$argon2id$not-a-real-hash".to_string(),
        role: "viewer".to_string(),
        organisation_id: None,
        team_id: None,
    }
}

#[test]
fn users_sessions_and_tokens_are_kept_and_found() {
    let (_dir, mut store) = new_store();
    let user = store.add_user(&viewer()).expect("adds");
    assert_eq!(
        store.user_by_name("viewer").expect("reads"),
        Some(user.clone())
    );
    assert_eq!(store.user(user.id).expect("reads"), Some(user.clone()));
    let err = store.add_user(&viewer()).expect_err("taken");
    assert!(matches!(err, StoreError::DuplicateUser { .. }), "{err:?}");
    assert_eq!(store.users().expect("reads").len(), 1);

    let session = Session {
        token_hash: "abc".to_string(),
        user_id: user.id,
        csrf_token: "csrf".to_string(),
        expires_at: "2099-01-01T00:00:00Z".to_string(),
    };
    store.create_session(&session).expect("creates");
    assert_eq!(store.session("abc").expect("reads"), Some(session));
    store.delete_session("abc").expect("deletes");
    assert_eq!(store.session("abc").expect("reads"), None);

    let token = NewApiToken {
        token_hash: "def".to_string(),
        user_id: user.id,
        name: "nightly export".to_string(),
        expires_at: "2099-01-01T00:00:00+00:00".to_string(),
    };
    let stored = store.create_api_token(&token).expect("creates");
    assert_eq!(
        (stored.token_hash.as_str(), stored.name.as_str()),
        ("def", "nightly export")
    );
    assert_eq!(stored.expires_at, token.expires_at);
    assert_eq!(store.api_token("def").expect("reads"), Some(stored));
    assert_eq!(store.api_token("nope").expect("reads"), None);
}

#[test]
fn api_tokens_are_listed_by_user_and_revoked_by_id() {
    let (_dir, mut store) = new_store();
    let user = store.add_user(&viewer()).expect("adds");
    let new = |hash: &str, name: &str| NewApiToken {
        token_hash: hash.to_string(),
        user_id: user.id,
        name: name.to_string(),
        expires_at: "2099-01-01T00:00:00+00:00".to_string(),
    };
    let first = store.create_api_token(&new("h1", "qgis")).expect("creates");
    let second = store
        .create_api_token(&new("h2", "export"))
        .expect("creates");
    assert_eq!(
        store.api_token_by_id(second.id).expect("reads"),
        Some(second.clone())
    );
    assert_ne!(first.id, second.id);
    assert_eq!(
        store.api_tokens(user.id).expect("lists"),
        vec![first.clone(), second.clone()]
    );

    assert_eq!(
        store.revoke_api_token(first.id).expect("revokes"),
        Some(first.clone())
    );
    assert_eq!(store.api_token("h1").expect("reads"), None, "revoked");
    assert_eq!(store.api_tokens(user.id).expect("lists"), vec![second]);
    assert_eq!(store.api_token_by_id(first.id).expect("reads"), None);
    assert_eq!(store.revoke_api_token(first.id).expect("revokes"), None);
}

#[test]
fn a_new_session_forgets_the_expired_ones() {
    let (_dir, mut store) = new_store();
    let user = store.add_user(&viewer()).expect("adds");
    let session = |hash: &str, expires_at: &str| Session {
        token_hash: hash.to_string(),
        user_id: user.id,
        csrf_token: "csrf".to_string(),
        expires_at: expires_at.to_string(),
    };
    let expired = session("old", "2020-01-01T00:00:00.123456+00:00");
    let live = session("live", "2099-01-01T00:00:00+00:00");
    store.create_session(&expired).expect("creates");
    store.create_session(&live).expect("creates");
    assert_eq!(
        store.session("old").expect("reads"),
        None,
        "expired, forgotten"
    );
    assert_eq!(store.session("live").expect("reads"), Some(live));

    store
        .create_session(&session("new", "2099-02-01T00:00:00Z"))
        .expect("creates");
    assert!(
        store.session("live").expect("reads").is_some(),
        "still valid, kept"
    );
}

#[test]
fn account_tables_are_not_gis_layers() {
    let (dir, mut store) = new_store();
    store.add_user(&viewer()).expect("adds");
    drop(store);
    let conn = Connection::open(dir.path().join("register.gpkg")).expect("opens");
    let listed: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM gpkg_contents WHERE table_name LIKE 'bonifica_%'",
            [],
            |r| r.get(0),
        )
        .expect("reads");
    assert_eq!(listed, 0);
}
