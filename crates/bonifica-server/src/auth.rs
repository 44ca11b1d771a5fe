//! Who is calling: roles, argon2 password hashes, session cookies with their CSRF token,
//! bearer tokens, and the login rate limit.
//!
//! A request is authenticated by a bearer token (`Authorization: Bearer ...`, the scheme
//! in any case, for API clients) or by the `bonifica_session` cookie (for the browser).
//! Cookie sessions must send their CSRF token in `X-CSRF-Token` on every request that
//! changes something; bearer tokens cannot be sent by a browser on another site's behalf,
//! so they need none. Tokens are stored as SHA-256 hashes only, and expire.
//!
//! Every password check, `POST /api/session` and ODK's Basic sign-in alike, goes through
//! [`sign_in`]: it runs exactly one argon2 verification whether or not the user exists
//! (against a dummy hash when not), so the time of an answer does not tell which user names
//! exist, and it counts failures per source address ([`LoginLimiter`]), so nobody can lock
//! another person out by guessing at their user name.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use bonifica_app::Actor;
use bonifica_store::User;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ServerError};
use crate::state::AppState;

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "bonifica_session";
/// The header carrying a cookie session's CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// How long a browser session lasts.
pub const SESSION_HOURS: i64 = 12;

pub use bonifica_app::Role;

/// How the caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A browser session, with the CSRF token it must echo on writes.
    Cookie { token_hash: String, csrf: String },
    /// A bearer token.
    Bearer,
}

/// An authenticated caller: the actor, and how they proved it (which decides whether a
/// write must carry the CSRF token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub actor: Actor,
    pub credential: Credential,
}

impl std::ops::Deref for Caller {
    type Target = Actor;
    fn deref(&self) -> &Actor {
        &self.actor
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, ApiError> {
        let (token, from_cookie) = match bearer(parts) {
            Some(t) => (t, false),
            None => match cookie(parts, SESSION_COOKIE) {
                Some(t) => (t, true),
                None => return Err(ApiError::unauthorized()),
            },
        };
        let caller = state
            .authenticate(hash_token(&token), from_cookie)
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        if let Credential::Cookie { csrf, .. } = &caller.credential {
            let unsafe_method =
                !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
            if unsafe_method && sent != Some(csrf.as_str()) {
                return Err(ApiError::forbidden(
                    "csrf token missing or wrong: send the session's csrf_token in X-CSRF-Token",
                ));
            }
        }
        Ok(caller)
    }
}

fn bearer(parts: &Parts) -> Option<String> {
    let token = authorization(&parts.headers, "bearer")?;
    (!token.is_empty()).then(|| token.to_string())
}

/// The credentials of an `Authorization` header of the given scheme, trimmed. The scheme
/// is compared without regard to case, as RFC 9110 §11.1 asks (`bearer`, `Bearer`,
/// `BEARER`); `None` for another scheme or no header.
pub fn authorization<'a>(headers: &'a HeaderMap, scheme: &str) -> Option<&'a str> {
    let value = headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .trim_start();
    let (given, rest) = value.split_once([' ', '\t']).unwrap_or((value, ""));
    given.eq_ignore_ascii_case(scheme).then(|| rest.trim())
}

/// The value of a cookie sent with the request.
pub fn cookie(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Hashes a password with argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> Result<String, ServerError> {
    let mut salt = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| ServerError::Password(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServerError::Password(e.to_string()))
}

/// True when `password` matches the stored PHC hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| argon2_verify(password, &parsed))
        .unwrap_or(false)
}

/// Checks a password against the stored hash of a user who may not exist, always with
/// exactly one argon2 verification: against `stored` when it is a hash, otherwise (no such
/// user, or an account with no usable password) against a dummy hash made once with the
/// same parameters, whose answer is thrown away. So the work, and the time, are the same
/// for an unknown user name as for a known one with a wrong password.
pub fn verify_login(password: &str, stored: Option<&str>) -> bool {
    // Made on the first attempt, whoever it is for, so that the first attempt too costs
    // the same for a known and an unknown user.
    let dummy = dummy_hash();
    match stored.and_then(|h| PasswordHash::new(h).ok()) {
        Some(parsed) => argon2_verify(password, &parsed),
        None => {
            if let Ok(parsed) = PasswordHash::new(dummy) {
                let _ = argon2_verify(password, &parsed);
            }
            false
        }
    }
}

/// A hash of a random password, made once with the parameters of [`hash_password`].
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        // Should hashing fail, verification against the empty string fails to parse and
        // costs nothing; it cannot fail with a fresh salt and the default parameters.
        hash_password(&new_password()).unwrap_or_default()
    })
}

/// The one place an argon2 verification runs.
fn argon2_verify(password: &str, parsed: &PasswordHash<'_>) -> bool {
    #[cfg(test)]
    tests::VERIFICATIONS.with(|n| n.set(n.get() + 1));
    Argon2::default()
        .verify_password(password.as_bytes(), parsed)
        .is_ok()
}

/// Checks a user name and password, for `POST /api/session` and ODK's Basic sign-in.
/// Refuses at once (`429`) when the source address has too many recent failures; otherwise
/// runs one argon2 verification whether or not the user exists, records a failure for the
/// address, and answers `401` without saying which of the two was wrong.
pub async fn sign_in(
    state: &AppState,
    from: Source,
    username: String,
    password: String,
) -> Result<User, ApiError> {
    state.limiter().check(from, &username)?;
    let name = username.clone();
    let user = state
        .with_store(move |store| Ok(store.user_by_name(&username)?))
        .await?;
    // On a blocking thread: argon2 is deliberately slow.
    let verified = tokio::task::spawn_blocking(move || {
        let ok = verify_login(&password, user.as_ref().map(|u| u.password_hash.as_str()));
        user.filter(|_| ok)
    })
    .await
    .map_err(|e| ApiError::internal(&e))?;
    match verified {
        Some(user) => Ok(user),
        None => {
            state.limiter().fail(from, &name);
            Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "wrong user name or password",
            ))
        }
    }
}

/// A fresh random token: 32 bytes as 64 hex digits.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex(&bytes)
}

/// A random password for generated accounts: 20 characters from an unambiguous alphabet.
pub fn new_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}

/// The SHA-256 of a token, as stored.
pub fn hash_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where a request comes from, as the sign-in limit counts it: the peer's IPv4 address,
/// or the /64 network of its IPv6 address (one host usually holds a whole /64, so counting
/// single IPv6 addresses would let it change address at every guess). `Unknown` when the
/// server was not told the peer (in-process tests): such requests share one count.
///
/// Never taken from `X-Forwarded-For` or similar headers, which any client can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    V4([u8; 4]),
    V6Net([u8; 8]),
    Unknown,
}

impl Source {
    /// The source of a peer address.
    pub fn of(ip: IpAddr) -> Source {
        match ip {
            IpAddr::V4(v4) => Source::V4(v4.octets()),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Source::V4(v4.octets()),
                None => {
                    let o = v6.octets();
                    Source::V6Net([o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7]])
                }
            },
        }
    }
}

/// The caller's source address, from the connection (axum's `ConnectInfo`, which
/// [`crate::serve`] provides). Never fails: without `ConnectInfo` it is
/// [`Source::Unknown`].
impl<S: Send + Sync> FromRequestParts<S> for Source {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Source, Infallible> {
        Ok(source_of(parts))
    }
}

/// The source address of a request's parts.
pub fn source_of(parts: &Parts) -> Source {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(Source::Unknown, |ConnectInfo(addr)| Source::of(addr.ip()))
}

/// Failed sign-ins allowed from one source address for one user name within
/// [`LoginLimiter::WINDOW`].
const MAX_FAILURES: usize = 5;

/// Failed sign-ins allowed from one source address, whatever the names, within
/// [`LoginLimiter::WINDOW`]: guessing across many accounts is slowed down too.
const MAX_FAILURES_PER_ADDRESS: usize = 50;

/// Above this many addresses counted, those with no recent failure are forgotten.
const PRUNE_ABOVE: usize = 10_000;

/// Counts failed sign-ins per source address and refuses further attempts from it for a
/// while once there are too many, so passwords cannot be guessed at network speed: five
/// for one user name, fifty for all names together.
///
/// Counted per address, never per user name alone: counting per name let anyone lock any
/// user out by guessing at their name, and now a guesser locks out only their own address.
/// Within an address the name still counts, so that people behind one shared address (an
/// office, or a mobile carrier's NAT) do not lock each other out by mistyping their own
/// passwords. A success does not clear the count, since it proves only the password of
/// the account signed in to, not of the accounts guessed at.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<Source, Vec<(Instant, String)>>>,
}

impl LoginLimiter {
    /// The window over which failures count.
    pub const WINDOW: Duration = Duration::from_secs(60);

    /// `Err(429)` when the source has too many recent failures, for `username` or for all
    /// names. The message names no user.
    pub fn check(&self, from: Source, username: &str) -> Result<(), ApiError> {
        let now = Instant::now();
        let name = username.trim().to_lowercase();
        let mut map = self.failures.lock().map_err(|e| ApiError::internal(&e))?;
        let Some(recent) = map.get_mut(&from) else {
            return Ok(());
        };
        recent.retain(|(t, _)| now.duration_since(*t) < Self::WINDOW);
        let for_name = recent.iter().filter(|(_, n)| *n == name).count();
        if for_name >= MAX_FAILURES || recent.len() >= MAX_FAILURES_PER_ADDRESS {
            let mut err = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too many failed sign-ins from your address; wait a minute",
            );
            err.retry_after_s = Some(Self::WINDOW.as_secs());
            return Err(err);
        }
        Ok(())
    }

    /// Records a failed sign-in from `from` for `username`.
    pub fn fail(&self, from: Source, username: &str) {
        let Ok(mut map) = self.failures.lock() else {
            return;
        };
        let now = Instant::now();
        if map.len() > PRUNE_ABOVE {
            map.retain(|_, times| {
                times
                    .iter()
                    .any(|(t, _)| now.duration_since(*t) < Self::WINDOW)
            });
        }
        let recent = map.entry(from).or_default();
        // Past the address's limit every attempt is refused anyway: keep no more.
        if recent.len() < MAX_FAILURES_PER_ADDRESS {
            recent.push((now, username.trim().to_lowercase()));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::net::Ipv6Addr;

    use super::*;

    thread_local! {
        /// argon2 verifications run on this thread (sign-in checks run on the caller's
        /// thread in these tests).
        pub static VERIFICATIONS: Cell<u64> = const { Cell::new(0) };
    }

    fn verifications_during(f: impl FnOnce() -> bool) -> (bool, u64) {
        let before = VERIFICATIONS.with(Cell::get);
        let ok = f();
        (ok, VERIFICATIONS.with(Cell::get) - before)
    }

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let hash = hash_password("correct horse").expect("hashes");
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong horse", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn an_unknown_user_costs_one_argon2_verification_like_a_wrong_password() {
        let hash = hash_password("correct horse").expect("hashes");
        dummy_hash();
        let unknown = verifications_during(|| verify_login("guess", None));
        let wrong = verifications_during(|| verify_login("guess", Some(&hash)));
        let unusable = verifications_during(|| verify_login("guess", Some("not-a-hash")));
        let right = verifications_during(|| verify_login("correct horse", Some(&hash)));
        assert_eq!(unknown, (false, 1));
        assert_eq!(wrong, (false, 1));
        assert_eq!(unusable, (false, 1));
        assert_eq!(right, (true, 1));
    }

    #[test]
    fn the_dummy_hash_has_the_parameters_of_real_ones() {
        let real = hash_password("x").expect("hashes");
        let real = PasswordHash::new(&real).expect("parses");
        let dummy = PasswordHash::new(dummy_hash()).expect("parses");
        assert_eq!(dummy.algorithm, real.algorithm);
        assert_eq!(dummy.version, real.version);
        assert_eq!(dummy.params, real.params);
    }

    #[test]
    fn the_authorization_scheme_is_read_in_any_case() {
        let with = |value: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::AUTHORIZATION, value.parse().expect("header"));
            h
        };
        for v in ["Bearer abc", "bearer abc", "BEARER  abc ", "bEaReR\tabc"] {
            assert_eq!(authorization(&with(v), "bearer"), Some("abc"), "{v:?}");
        }
        assert_eq!(authorization(&with("Basic abc"), "bearer"), None);
        assert_eq!(authorization(&with("Bearerabc"), "bearer"), None);
        assert_eq!(authorization(&with("basic dTpw"), "Basic"), Some("dTpw"));
    }

    #[test]
    fn the_limiter_refuses_an_address_after_five_failures_and_not_another() {
        let limiter = LoginLimiter::default();
        let a = Source::of("192.0.2.1".parse().expect("ip"));
        let b = Source::of("192.0.2.2".parse().expect("ip"));
        for _ in 0..MAX_FAILURES {
            assert!(limiter.check(a, "ana").is_ok());
            limiter.fail(a, "ana");
        }
        let err = limiter.check(a, "Ana").expect_err("limited");
        assert_eq!(err.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(limiter.check(b, "ana").is_ok());
    }

    #[test]
    fn people_behind_one_address_do_not_lock_each_other_out_but_a_sweep_of_names_is_limited() {
        let limiter = LoginLimiter::default();
        let office = Source::of("198.51.100.7".parse().expect("ip"));
        for _ in 0..MAX_FAILURES {
            limiter.fail(office, "ana");
        }
        assert!(limiter.check(office, "ana").is_err());
        assert!(
            limiter.check(office, "bogdan").is_ok(),
            "a colleague is locked out"
        );
        for i in 0..MAX_FAILURES_PER_ADDRESS {
            limiter.fail(office, &format!("guess-{i}"));
        }
        let err = limiter
            .check(office, "bogdan")
            .expect_err("the sweep is limited");
        assert_eq!(err.status, StatusCode::TOO_MANY_REQUESTS);
    }

    #[test]
    fn ipv6_addresses_count_by_their_64_bit_network() {
        let one: IpAddr = "2001:db8:1:2::1".parse().expect("ip");
        let same_net: IpAddr = "2001:db8:1:2:ffff::9".parse().expect("ip");
        let other_net: IpAddr = "2001:db8:1:3::1".parse().expect("ip");
        assert_eq!(Source::of(one), Source::of(same_net));
        assert_ne!(Source::of(one), Source::of(other_net));
        let mapped = IpAddr::V6(Ipv6Addr::from([0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201]));
        assert_eq!(
            Source::of(mapped),
            Source::of("192.0.2.1".parse().expect("ip"))
        );
    }
}
