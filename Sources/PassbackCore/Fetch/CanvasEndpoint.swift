import Foundation

/// The Canvas instance the token belongs to (`--canvas-url`), and the one place that decides
/// which URLs the token may be sent to.
///
/// The base must be `https://`, or plain `http://` to a loopback address (tests, a local proxy):
/// the token is a password for every course the account can see, and must not cross a network in
/// clear text. Every URL requested is the base plus an API path, or a `Link: rel="next"` URL that
/// Canvas returned and that ``allows(_:)`` accepts: same scheme, host and port, under the base's
/// `/api/v1/`. A next link anywhere else is not followed (the token would go with it).
struct CanvasEndpoint: Sendable, Equatable {
    let scheme: String
    let host: String
    let port: Int
    /// `https://canvas.example.edu` (with a path prefix if the base had one), no trailing `/`.
    let base: String
    /// The path prefix under which the API lives, ending in `/api/v1/`.
    let apiPath: String

    /// - Parameter name: where the URL was given, for the error (`--canvas-url`, or the
    ///   settings file's `canvas.url`).
    /// - Throws: ``SettingsError`` for a URL that is not an `https://` (or loopback `http://`)
    ///   address of a host.
    init(_ text: String, givenAs name: String = "--canvas-url") throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let parts = URLComponents(string: trimmed), let rawScheme = parts.scheme?.lowercased(),
            let rawHost = parts.host, !rawHost.isEmpty
        else {
            throw SettingsError("\(name) '\(text)' is not a URL such as https://school.instructure.com")
        }
        guard parts.user == nil, parts.password == nil else {
            throw SettingsError("\(name) must not carry a user name or password; give the token with --token-file")
        }
        guard parts.query == nil, parts.fragment == nil else {
            throw SettingsError("\(name) '\(text)' has a query or fragment; give only the address, such as https://school.instructure.com")
        }
        let host = rawHost.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        switch rawScheme {
        case "https":
            break
        case "http":
            guard Self.isLoopback(host) else {
                throw SettingsError(
                    "\(name) '\(text)' is plain http to \(host); the token would cross the network unencrypted. Use https:// (plain http is only for a loopback address such as 127.0.0.1)"
                )
            }
        default:
            throw SettingsError("\(name) '\(text)' must start with https://")
        }
        scheme = rawScheme
        self.host = host
        port = parts.port ?? (rawScheme == "https" ? 443 : 80)
        var path = parts.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        if path.hasSuffix("/api/v1") { path.removeLast("/api/v1".count) }
        let hostText = host.contains(":") ? "[\(host)]" : host
        let portText = parts.port.map { ":\($0)" } ?? ""
        base = "\(rawScheme)://\(hostText)\(portText)\(path)"
        apiPath = path + "/api/v1/"
    }

    /// `127.0.0.0/8`, `::1` and `localhost`.
    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets[0] == "127" else { return false }
        return octets.allSatisfy { octet in
            !octet.isEmpty && octet.count <= 3 && octet.allSatisfy(\.isASCII) && octet.allSatisfy(\.isNumber) && (Int(octet) ?? 256) <= 255
        }
    }

    /// The URL of an API call: `path` below `/api/v1/` (already percent-encoded) and the query
    /// parameters, encoded here.
    func url(_ path: String, _ query: [(String, String)] = []) -> String {
        var url = base + "/api/v1/" + path
        if !query.isEmpty {
            url += "?" + query.map { Self.encodeQueryComponent($0.0) + "=" + Self.encodeQueryComponent($0.1) }.joined(separator: "&")
        }
        return url
    }

    /// Whether `url` may be requested with the token: same scheme, host and port as the base,
    /// a path under the API, no user information.
    func allows(_ url: String) -> Bool {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(), let rawHost = parts.host else {
            return false
        }
        let host = rawHost.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let port = parts.port ?? (scheme == "https" ? 443 : (scheme == "http" ? 80 : -1))
        return scheme == self.scheme && host == self.host && port == self.port && parts.user == nil && parts.password == nil
            && parts.percentEncodedPath.hasPrefix(apiPath) && !parts.percentEncodedPath.contains("/../")
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters (so `include[]` is sent
    /// as `include%5B%5D`, which every URL parser accepts and Rack decodes).
    static func encodeQueryComponent(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "~")
            {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// A course as one path component: a Canvas id as it is; `sis_course_id:X` as Canvas's
    /// `hex:sis_course_id:<hex of X>` form when X has anything but letters, digits, `-` and `_`
    /// (a `.` or `/` in an SIS id would otherwise be read as a format or a path).
    static func coursePathComponent(_ course: CourseReference) -> String {
        switch course {
        case .canvasID(let id):
            return id
        case .sisCourseID(let sis):
            let plain = sis.utf8.allSatisfy {
                ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")
            }
            if plain { return "sis_course_id:" + sis }
            return "hex:sis_course_id:" + sis.utf8.map { String(format: "%02x", $0) }.joined()
        }
    }
}

/// A course named on the command line: `--course 4242` or `--course sis_course_id:MATH-101`.
enum CourseReference: Sendable, Equatable, CustomStringConvertible {
    case canvasID(String)
    case sisCourseID(String)

    /// - Throws: ``SettingsError`` for anything but digits or `sis_course_id:` and an id.
    init(_ text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if !trimmed.isEmpty, trimmed.utf8.count <= 20, trimmed.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            self = .canvasID(trimmed)
        } else if trimmed.hasPrefix("sis_course_id:"), trimmed.count > "sis_course_id:".count {
            self = .sisCourseID(String(trimmed.dropFirst("sis_course_id:".count)))
        } else {
            throw SettingsError("--course '\(text)' is neither a Canvas course id (digits) nor sis_course_id:<SIS id>")
        }
    }

    var description: String {
        switch self {
        case .canvasID(let id): return id
        case .sisCourseID(let sis): return "sis_course_id:" + sis
        }
    }
}
