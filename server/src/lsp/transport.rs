//! The wire: LSP base-protocol framing over byte streams, owned here rather
//! than left to the transport library, because a language server that runs
//! beside every editor must survive whatever a broken client sends.
//!
//! - [`FrameDecoder`] splits bytes into frames and resynchronises after
//!   garbage, a missing or wrong `Content-Length`, an empty or oversized
//!   body; each bad frame becomes one [`Frame::Invalid`] and reading goes on.
//! - [`serve`] turns frames into JSON-RPC messages for the tower service:
//!   undecodable JSON gets a parse error reply, lone UTF-16 surrogates are
//!   replaced, URIs that strict parsers reject (`[id]`, spaces) are
//!   percent-encoded, and document changes are applied to the store right
//!   here, in arrival order, before any handler runs.
//!
//! Nothing here logs message contents: they hold whole documents.

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{Semaphore, mpsc, oneshot};
use tower_lsp_server::jsonrpc::{Id, Request, Response};
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};
use tower_lsp_server::{ClientSocket, Loopback, LspService};
use tower_service::Service;

use super::state::Shared;

/// Larger frames are refused (and skipped without being held): a document
/// this size is far over any analysis limit, and a frame of many small
/// changes this size would cost memory out of proportion to its use.
pub const MAX_FRAME_BYTES: usize = 32 << 20;

/// Longest header block accepted before the decoder gives up on it.
const MAX_HEADER_BYTES: usize = 8 << 10;

/// Requests handled at once; more are answered "busy, retry" rather than
/// queued, so the read loop never stops reading replies the handlers wait for.
const MAX_REQUESTS_IN_FLIGHT: usize = 64;

/// One unit of the byte stream.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
    /// A body whose length the headers announced.
    Message(Vec<u8>),
    /// Something that is not a usable frame; the reason is for the log.
    Invalid(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Headers,
    Body(usize),
    /// Discarding the body of a refused frame as it arrives.
    Skip(usize),
}

/// Splits LSP frames (`Content-Length: N\r\n\r\n` + N bytes) out of a byte
/// stream, never stalling on a frame that is already complete.
pub struct FrameDecoder {
    buf: Vec<u8>,
    /// Start of unconsumed bytes in `buf`.
    pos: usize,
    state: State,
    /// How far into the current partial body a header has been looked for.
    scanned: usize,
}

impl Default for FrameDecoder {
    fn default() -> Self {
        FrameDecoder {
            buf: Vec::new(),
            pos: 0,
            state: State::Headers,
            scanned: 0,
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Where the next `Content-Length` header starts, case-insensitively.
fn find_content_length(haystack: &[u8]) -> Option<usize> {
    const NAME: &[u8] = b"content-length";
    haystack.windows(NAME.len()).position(|w| w.eq_ignore_ascii_case(NAME))
}

impl FrameDecoder {
    pub fn push(&mut self, bytes: &[u8]) {
        if self.pos > 0 && self.pos * 2 >= self.buf.len() {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        match self.state {
            State::Skip(remaining) => {
                let skipped = remaining.min(bytes.len());
                self.state = if skipped == remaining {
                    State::Headers
                } else {
                    State::Skip(remaining - skipped)
                };
                self.buf.extend_from_slice(&bytes[skipped..]);
            }
            _ => self.buf.extend_from_slice(bytes),
        }
    }

    fn pending(&self) -> &[u8] {
        &self.buf[self.pos..]
    }

    /// The next complete frame, if the bytes so far hold one.
    pub fn next_frame(&mut self) -> Option<Frame> {
        loop {
            match self.state {
                State::Skip(_) => return None,
                State::Headers => {
                    let pending = self.pending();
                    let start = pending.iter().take_while(|b| b.is_ascii_whitespace()).count();
                    if start == pending.len() {
                        self.pos += start;
                        return None;
                    }
                    // Headers start with a header name; anything else is
                    // garbage up to the next `Content-Length`.
                    let rest = &pending[start..];
                    let probe = rest.len().min(8);
                    if !rest[..probe].eq_ignore_ascii_case(&b"content-"[..probe]) {
                        let skip = match find_content_length(rest) {
                            Some(at) => at,
                            // Keep a tail that may be the start of a header.
                            None => rest.len().saturating_sub(16),
                        };
                        self.pos += start + skip;
                        if skip == 0 {
                            return None;
                        }
                        return Some(Frame::Invalid("bytes outside any frame"));
                    }
                    let pending = &self.pending()[start..];
                    let end = find(pending, b"\r\n\r\n")
                        .map(|i| (i, 4))
                        .or_else(|| find(pending, b"\n\n").map(|i| (i, 2)));
                    let Some((header_len, separator)) = end else {
                        if pending.len() > MAX_HEADER_BYTES {
                            self.pos += start + 1;
                            return Some(Frame::Invalid("header block too long"));
                        }
                        return None;
                    };
                    let headers = &pending[..header_len];
                    let length = if header_len > MAX_HEADER_BYTES {
                        Err("header block too long")
                    } else {
                        parse_content_length(headers)
                    };
                    self.pos += start + header_len + separator;
                    match length {
                        Ok(0) => return Some(Frame::Invalid("empty body")),
                        Ok(n) if n > MAX_FRAME_BYTES => {
                            self.state = State::Skip(n);
                            let available = self.pending().len();
                            let skipped = available.min(n);
                            self.pos += skipped;
                            self.state = if skipped == n {
                                State::Headers
                            } else {
                                State::Skip(n - skipped)
                            };
                            return Some(Frame::Invalid("frame larger than the limit"));
                        }
                        Ok(n) => {
                            self.state = State::Body(n);
                            self.scanned = 0;
                        }
                        Err(reason) => return Some(Frame::Invalid(reason)),
                    }
                }
                State::Body(length) => {
                    let pending = self.pending();
                    if pending.len() >= length {
                        let body = pending[..length].to_vec();
                        self.pos += length;
                        self.state = State::Headers;
                        return Some(Frame::Message(body));
                    }
                    // A `Content-Length` larger than the body would swallow
                    // the frames after it: when the bytes before a new
                    // header already form a whole JSON value, the frame
                    // ends there.
                    let from = self.scanned.saturating_sub(16);
                    if let Some(at) = find_content_length(&pending[from..]).map(|i| from + i) {
                        let body = &pending[..at];
                        if serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok() {
                            let body = body.to_vec();
                            self.pos += at;
                            self.state = State::Headers;
                            return Some(Frame::Message(body));
                        }
                    }
                    self.scanned = pending.len();
                    return None;
                }
            }
        }
    }

    /// At end of input: a partial frame left behind, if any.
    pub fn finish(&mut self) -> Option<Frame> {
        let leftover = !self.pending().iter().all(u8::is_ascii_whitespace);
        let state = std::mem::replace(&mut self.state, State::Headers);
        self.pos = self.buf.len();
        match state {
            State::Body(_) => Some(Frame::Invalid("input ended inside a frame")),
            State::Headers if leftover => Some(Frame::Invalid("input ended inside the headers")),
            _ => None,
        }
    }
}

fn parse_content_length(headers: &[u8]) -> Result<usize, &'static str> {
    let text = std::str::from_utf8(headers).map_err(|_| "headers are not text")?;
    let mut length = None;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err("a header without a colon");
        };
        if name.trim().eq_ignore_ascii_case("content-length") {
            let value = value.trim();
            if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) || value.len() > 12 {
                return Err("Content-Length is not a number");
            }
            length = Some(value.parse::<usize>().map_err(|_| "Content-Length is not a number")?);
        }
    }
    length.ok_or("no Content-Length header")
}

/// Replaces `\uD800`-`\uDFFF` escapes that do not form a pair with
/// `\uFFFD`, in place (both are six bytes): JSON allows them, Rust strings
/// cannot hold them, and the JSON parser rejects the whole message.
pub fn replace_lone_surrogates(body: &mut [u8]) {
    fn hex4(bytes: &[u8]) -> Option<u16> {
        let text = std::str::from_utf8(bytes.get(..4)?).ok()?;
        u16::from_str_radix(text, 16).ok()
    }
    let mut in_string = false;
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            b'"' => {
                in_string = !in_string;
                i += 1;
            }
            b'\\' if in_string => {
                if body.get(i + 1) != Some(&b'u') {
                    i += 2;
                    continue;
                }
                let Some(unit) = hex4(&body[i + 2..]) else {
                    i += 2;
                    continue;
                };
                let is_high = (0xD800..0xDC00).contains(&unit);
                let is_low = (0xDC00..0xE000).contains(&unit);
                if is_high {
                    let next_is_low = body.get(i + 6..i + 8) == Some(b"\\u")
                        && hex4(&body[i + 8..]).is_some_and(|u| (0xDC00..0xE000).contains(&u));
                    if next_is_low {
                        i += 12;
                        continue;
                    }
                }
                if is_high || is_low {
                    body[i + 2..i + 6].copy_from_slice(b"FFFD");
                }
                i += 6;
            }
            _ => i += 1,
        }
    }
}

/// A URI as a strict parser accepts it: characters that RFC 3986 does not
/// allow (spaces, `[`/`]` in paths as in Next.js `[id]` routes, non-ASCII)
/// percent-encoded. Editors send such URIs; they name the same file.
pub fn lenient_uri(raw: &str) -> Option<Uri> {
    if let Ok(uri) = Uri::from_str(raw) {
        return Some(uri);
    }
    let bytes = raw.as_bytes();
    let mut encoded = String::with_capacity(raw.len() + 16);
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?#".contains(&b);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let escape = b == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
        if escape || allowed(b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
        i += 1;
    }
    Uri::from_str(&encoded).ok()
}

/// Keys whose string values are URIs, anywhere in a message's params.
const URI_KEYS: &[&str] = &["uri", "rootUri", "targetUri", "oldUri", "newUri", "scopeUri"];

/// Percent-encodes, in place, every URI value that a strict parser rejects.
fn fix_uris(value: &mut Value) {
    let mut stack = vec![value];
    while let Some(current) = stack.pop() {
        match current {
            Value::Object(map) => {
                for (key, child) in map.iter_mut() {
                    if let Value::String(text) = child
                        && URI_KEYS.contains(&key.as_str())
                    {
                        if let Some(fixed) = lenient_uri(text) {
                            *text = fixed.as_str().to_string();
                        }
                    } else {
                        stack.push(child);
                    }
                }
            }
            Value::Array(items) => stack.extend(items.iter_mut()),
            _ => {}
        }
    }
}

/// The parts of a JSON-RPC message the transport routes on; `params`,
/// `result` and `error` stay unparsed until needed. A member that is present
/// but `null` (`"result": null`) is `Some`, unlike serde's default.
#[derive(Deserialize)]
struct Envelope<'a> {
    jsonrpc: Option<String>,
    #[serde(borrow, default, deserialize_with = "present")]
    id: Option<&'a RawValue>,
    method: Option<String>,
    #[serde(borrow, default, deserialize_with = "present")]
    params: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    result: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    error: Option<&'a RawValue>,
}

fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue>::deserialize(deserializer).map(Some)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OpenParams {
    text_document: OpenedDocument,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OpenedDocument {
    uri: String,
    #[serde(default)]
    language_id: String,
    version: i32,
    text: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChangeParams {
    text_document: VersionedDocument,
    content_changes: Vec<TextDocumentContentChangeEvent>,
}

#[derive(Deserialize)]
struct VersionedDocument {
    uri: String,
    version: i32,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CloseParams {
    text_document: DocumentId,
}

#[derive(Deserialize)]
struct DocumentId {
    uri: String,
}

/// Applies a document notification to the store in arrival order and
/// returns the params the handler gets: the same message without the
/// document text or changes, which the store already holds (so a large
/// change list is parsed once, into its typed form, and never copied).
/// `None` when the params are unusable (logged, never fatal).
fn apply_document_message(shared: &Shared, method: &str, params: &RawValue) -> Option<Option<Value>> {
    let uri_of = |raw: &str| {
        let uri = lenient_uri(raw);
        if uri.is_none() {
            tracing::warn!("{method}: the document URI is not a URI; ignoring the message");
        }
        uri
    };
    let parsed = match method {
        "textDocument/didOpen" => serde_json::from_str::<OpenParams>(params.get()).map(|p| {
            let uri = uri_of(&p.text_document.uri)?;
            let document = p.text_document;
            shared.docs.open(uri.clone(), document.version, &document.text);
            Some(serde_json::json!({ "textDocument": {
                "uri": uri, "languageId": document.language_id, "version": document.version, "text": ""
            }}))
        }),
        "textDocument/didChange" => serde_json::from_str::<ChangeParams>(params.get()).map(|p| {
            let uri = uri_of(&p.text_document.uri)?;
            let version = p.text_document.version;
            shared.docs.change(&uri, version, &p.content_changes, shared.encoding());
            Some(serde_json::json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [] }))
        }),
        "textDocument/didClose" => serde_json::from_str::<CloseParams>(params.get()).map(|p| {
            let uri = uri_of(&p.text_document.uri)?;
            shared.docs.close(&uri);
            Some(serde_json::json!({ "textDocument": { "uri": uri } }))
        }),
        _ => return Some(None),
    };
    match parsed {
        Ok(Some(reduced)) => Some(Some(reduced)),
        Ok(None) => None,
        Err(e) => {
            tracing::warn!(
                "{method}: malformed params ({}); ignoring the message",
                e.classify_name()
            );
            None
        }
    }
}

trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    /// The kind of error without its text, which may quote the document.
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "i/o",
            serde_json::error::Category::Syntax => "syntax",
            serde_json::error::Category::Data => "unexpected shape",
            serde_json::error::Category::Eof => "truncated",
        }
    }
}

/// A reply the transport writes itself (nothing reached the service).
fn error_reply(id: Option<&RawValue>, code: i64, message: &str) -> Vec<u8> {
    let id: Value = id
        .and_then(|raw| serde_json::from_str::<Value>(raw.get()).ok())
        .filter(|v| v.is_number() || v.is_string())
        .unwrap_or(Value::Null);
    serde_json::to_vec(&serde_json::json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": { "code": code, "message": message },
    }))
    .unwrap_or_default()
}

const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;
/// LSP's `ServerCancelled`: the client may send the request again.
const SERVER_CANCELLED: i64 = -32802;

/// What the read loop decided about one frame.
enum Routed {
    /// Handed to the service, or answered, or dropped: keep reading.
    Continue,
    /// `exit` arrived: stop reading.
    Exit,
}

struct Session<S> {
    service: S,
    shared: Arc<Shared>,
    out: mpsc::UnboundedSender<Vec<u8>>,
    responses: <ClientSocket as Loopback>::ResponseSink,
    in_flight: Arc<Semaphore>,
    shutdown_requested: Arc<AtomicBool>,
}

impl<S> Session<S>
where
    S: Service<Request, Response = Option<Response>> + Send,
    S::Future: Send + 'static,
    S::Error: std::fmt::Display,
{
    async fn route(&mut self, frame: Frame) -> Routed {
        let mut body = match frame {
            Frame::Invalid(reason) => {
                tracing::warn!("dropped an unreadable frame: {reason}");
                let _ = self.out.send(error_reply(None, PARSE_ERROR, "Parse error"));
                return Routed::Continue;
            }
            Frame::Message(body) => body,
        };
        replace_lone_surrogates(&mut body);
        let body = match String::from_utf8(body) {
            Ok(text) => text,
            // Bytes that are not UTF-8 cannot be a document's text; keep
            // what is readable rather than losing the message.
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        };
        let envelope: Envelope<'_> = match serde_json::from_str(&body) {
            Ok(envelope) => envelope,
            Err(e) => {
                let (code, message) = if e.is_data() {
                    (INVALID_REQUEST, "Invalid Request")
                } else {
                    (PARSE_ERROR, "Parse error")
                };
                tracing::warn!("dropped a message that is not JSON-RPC ({})", e.classify_name());
                let _ = self.out.send(error_reply(None, code, message));
                return Routed::Continue;
            }
        };
        if envelope.jsonrpc.as_deref() != Some("2.0") {
            tracing::warn!("dropped a message without `\"jsonrpc\": \"2.0\"`");
            let _ = self
                .out
                .send(error_reply(envelope.id, INVALID_REQUEST, "Invalid Request"));
            return Routed::Continue;
        }
        let Some(method) = envelope.method.clone() else {
            if envelope.result.is_some() || envelope.error.is_some() {
                match serde_json::from_str::<Response>(&body) {
                    Ok(response) => {
                        let _ = self.responses.send(response).await;
                    }
                    Err(e) => tracing::warn!("dropped a malformed reply ({})", e.classify_name()),
                }
            } else {
                let _ = self
                    .out
                    .send(error_reply(envelope.id, INVALID_REQUEST, "Invalid Request"));
            }
            return Routed::Continue;
        };
        let id = match envelope.id {
            None => None,
            Some(raw) => match serde_json::from_str::<Id>(raw.get()) {
                Ok(id) => Some(id),
                Err(_) => {
                    let _ = self.out.send(error_reply(None, INVALID_REQUEST, "Invalid Request"));
                    return Routed::Continue;
                }
            },
        };
        let params = match envelope.params {
            None => None,
            Some(raw) if raw.get().trim() == "null" => None,
            Some(raw) => match apply_document_message(&self.shared, &method, raw) {
                None => return Routed::Continue,
                Some(Some(reduced)) => Some(reduced),
                Some(None) => match serde_json::from_str::<Value>(raw.get()) {
                    Ok(mut value) => {
                        fix_uris(&mut value);
                        Some(value)
                    }
                    Err(_) => {
                        let _ = self.out.send(error_reply(envelope.id, PARSE_ERROR, "Parse error"));
                        return Routed::Continue;
                    }
                },
            },
        };
        if method == "shutdown" && id.is_some() {
            self.shutdown_requested.store(true, Ordering::Release);
        }
        let is_exit = method == "exit";
        let mut request = Request::build(method);
        if let Some(params) = params {
            request = request.params(params);
        }
        if let Some(id) = id.clone() {
            request = request.id(id);
        }
        let request = request.finish();
        // Requests wait in line for a slot; past the limit they are turned
        // away, so reading (and the replies handlers may wait for) goes on.
        let permit = match id {
            Some(_) => match self.in_flight.clone().try_acquire_owned() {
                Ok(permit) => Some(permit),
                Err(_) => {
                    let _ = self
                        .out
                        .send(error_reply(envelope.id, SERVER_CANCELLED, "busy; try again"));
                    return Routed::Continue;
                }
            },
            None => None,
        };
        if std::future::poll_fn(|cx| self.service.poll_ready(cx)).await.is_err() {
            return Routed::Exit;
        }
        let future = self.service.call(request);
        let out = self.out.clone();
        let handled = async move {
            let _permit = permit;
            match future.await {
                Ok(Some(response)) => {
                    if let Ok(bytes) = serde_json::to_vec(&response) {
                        let _ = out.send(bytes);
                    }
                }
                Ok(None) => {}
                Err(e) => tracing::warn!("request not served: {e}"),
            }
        };
        if is_exit {
            handled.await;
            return Routed::Exit;
        }
        tokio::spawn(handled);
        Routed::Continue
    }
}

async fn write_frame<O: AsyncWrite + Unpin>(output: &mut O, body: &[u8]) -> std::io::Result<()> {
    output
        .write_all(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes())
        .await?;
    output.write_all(body).await?;
    output.flush().await
}

/// Serves the protocol over any byte streams (stdio, or pipes in tests).
/// Returns the process exit status the protocol asks for: 0 after
/// `shutdown` then `exit`, 1 when the client exits (or vanishes) without
/// asking for a shutdown first.
pub async fn serve<I, O>(
    mut input: I,
    output: O,
    service: LspService<super::Backend>,
    socket: ClientSocket,
    shared: Arc<Shared>,
) -> i32
where
    I: AsyncRead + Unpin,
    O: AsyncWrite + Send + Unpin + 'static,
{
    let (to_client, responses) = Loopback::split(socket);
    let (out, mut outgoing) = mpsc::unbounded_channel::<Vec<u8>>();
    let (stop, mut stopped) = oneshot::channel::<()>();
    let client_gone = Arc::new(AtomicBool::new(false));
    let writer_gone = client_gone.clone();
    let writer = tokio::spawn(async move {
        let mut output = output;
        let mut to_client = to_client;
        loop {
            let body = tokio::select! {
                biased;
                Some(body) = outgoing.recv() => body,
                Some(request) = to_client.next() => serde_json::to_vec(&request).unwrap_or_default(),
                _ = &mut stopped => {
                    // Say what is already queued, then stop.
                    while let Ok(body) = outgoing.try_recv() {
                        if write_frame(&mut output, &body).await.is_err() {
                            break;
                        }
                    }
                    return;
                }
                else => return,
            };
            if write_frame(&mut output, &body).await.is_err() {
                writer_gone.store(true, Ordering::Release);
                return;
            }
        }
    });
    let mut session = Session {
        service,
        shared,
        out,
        responses,
        in_flight: Arc::new(Semaphore::new(MAX_REQUESTS_IN_FLIGHT)),
        shutdown_requested: Arc::new(AtomicBool::new(false)),
    };
    let mut decoder = FrameDecoder::default();
    let mut chunk = vec![0u8; 64 << 10];
    'reading: loop {
        let read = match input.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        decoder.push(&chunk[..read]);
        while let Some(frame) = decoder.next_frame() {
            if let Routed::Exit = session.route(frame).await {
                break 'reading;
            }
        }
        if client_gone.load(Ordering::Acquire) {
            break;
        }
    }
    if let Some(frame) = decoder.finish() {
        session.route(frame).await;
    }
    let _ = stop.send(());
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), writer).await;
    session.shared.remove_reports();
    if session.shutdown_requested.load(Ordering::Acquire) {
        0
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> Vec<u8> {
        format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
    }

    fn decode_all(bytes: &[u8]) -> Vec<Frame> {
        let mut decoder = FrameDecoder::default();
        decoder.push(bytes);
        let mut out = Vec::new();
        while let Some(f) = decoder.next_frame() {
            out.push(f);
        }
        out.extend(decoder.finish());
        out
    }

    fn message(body: &str) -> Frame {
        Frame::Message(body.as_bytes().to_vec())
    }

    #[test]
    fn whole_frames_come_out_in_order_even_byte_by_byte() {
        let stream = [frame(r#"{"a":1}"#), frame(r#"{"b":"é"}"#)].concat();
        assert_eq!(decode_all(&stream), [message(r#"{"a":1}"#), message(r#"{"b":"é"}"#)]);
        let mut decoder = FrameDecoder::default();
        let mut out = Vec::new();
        for byte in &stream {
            decoder.push(std::slice::from_ref(byte));
            while let Some(f) = decoder.next_frame() {
                out.push(f);
            }
        }
        assert_eq!(out, [message(r#"{"a":1}"#), message(r#"{"b":"é"}"#)]);
    }

    #[test]
    fn bad_headers_are_one_invalid_frame_each_and_reading_resumes() {
        let good = frame(r#"{"ok":true}"#);
        for bad in [
            b"Content-Length: abc\r\n\r\n".to_vec(),
            b"Content-Type: x\r\n\r\n{}".to_vec(),
            b"garbage in front ".to_vec(),
            b"Content-Length: 0\r\n\r\n".to_vec(),
            b"Content-Length: -5\r\n\r\n".to_vec(),
        ] {
            let frames = decode_all(&[bad.clone(), good.clone()].concat());
            assert!(
                matches!(frames.first(), Some(Frame::Invalid(_))),
                "{:?}: {frames:?}",
                String::from_utf8_lossy(&bad)
            );
            assert_eq!(frames.last(), Some(&message(r#"{"ok":true}"#)), "{frames:?}");
        }
    }

    #[test]
    fn an_empty_body_does_not_hold_back_what_follows() {
        let mut decoder = FrameDecoder::default();
        decoder.push(&[b"Content-Length: 0\r\n\r\n".to_vec(), frame("{}")].concat());
        assert!(matches!(decoder.next_frame(), Some(Frame::Invalid(_))));
        assert_eq!(decoder.next_frame(), Some(message("{}")));
        assert_eq!(decoder.next_frame(), None);
    }

    #[test]
    fn a_length_too_large_ends_at_the_next_header_and_too_small_resyncs() {
        let next = frame(r#"{"next":1}"#);
        let too_long = [b"Content-Length: 500\r\n\r\n{\"x\":1}".to_vec(), next.clone()].concat();
        assert_eq!(
            decode_all(&too_long)[..2],
            [message(r#"{"x":1}"#), message(r#"{"next":1}"#)]
        );
        let too_short = [b"Content-Length: 3\r\n\r\n{\"x\":1}".to_vec(), next].concat();
        let frames = decode_all(&too_short);
        assert_eq!(frames[0], message(r#"{"x"#));
        assert_eq!(frames.last(), Some(&message(r#"{"next":1}"#)));
    }

    #[test]
    fn oversized_frames_are_skipped_without_being_held() {
        let mut decoder = FrameDecoder::default();
        decoder.push(format!("Content-Length: {}\r\n\r\n", MAX_FRAME_BYTES + 10).as_bytes());
        assert!(matches!(decoder.next_frame(), Some(Frame::Invalid(_))));
        for _ in 0..(MAX_FRAME_BYTES / (1 << 20)) {
            decoder.push(&vec![b'x'; 1 << 20]);
            assert_eq!(decoder.next_frame(), None);
            assert!(decoder.buf.len() < 1 << 21, "skipped bytes are not kept");
        }
        decoder.push(&[vec![b'x'; 10], frame("{}")].concat());
        assert_eq!(decoder.next_frame(), Some(message("{}")));
    }

    #[test]
    fn truncated_input_is_reported_once() {
        assert_eq!(
            decode_all(b"Content-Length: 10\r\n\r\n{\"a\""),
            [Frame::Invalid("input ended inside a frame")]
        );
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let mut body = br#"{"t":"a\ud83d b \ude00 \ud83d\ude00 \\ud83d"}"#.to_vec();
        replace_lone_surrogates(&mut body);
        let value: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(value["t"], "a\u{FFFD} b \u{FFFD} 😀 \\ud83d");
    }

    #[test]
    fn uris_with_brackets_and_spaces_are_encoded() {
        let uri = lenient_uri("file:///app/[id]/my page.tsx").unwrap();
        assert_eq!(uri.as_str(), "file:///app/%5Bid%5D/my%20page.tsx");
        assert_eq!(uri.to_file_path().unwrap().to_str().unwrap(), "/app/[id]/my page.tsx");
        let mut params = serde_json::json!({ "textDocument": { "uri": "file:///a/[slug].ts" }, "items": [{ "uri": "file:///b c" }] });
        fix_uris(&mut params);
        assert_eq!(params["textDocument"]["uri"], "file:///a/%5Bslug%5D.ts");
        assert_eq!(params["items"][0]["uri"], "file:///b%20c");
    }
}
