import Foundation

/// What `passback fetch` was asked on its command line; anything left `nil` comes from the
/// `[canvas]` settings (``CanvasSettings``).
public struct FetchArguments: Sendable, Equatable {
    public var canvasURL: String?
    /// `--course`, repeatable: Canvas ids or `sis_course_id:X`.
    public var courses: [String]
    public var account: String?
    public var term: String?
    public var tokenFile: String?

    public init(canvasURL: String? = nil, courses: [String] = [], account: String? = nil, term: String? = nil, tokenFile: String? = nil) {
        self.canvasURL = canvasURL
        self.courses = courses
        self.account = account
        self.term = term
        self.tokenFile = tokenFile
    }
}

/// Which courses to fetch.
enum CourseSelection: Sendable, Equatable {
    case courses([CourseReference])
    /// Every published course of an account in a term (by the term's SIS id).
    case term(account: String, term: String)
}

/// A fetch that can start: where, what and with which token, from the command line, then the
/// environment, then the settings (spec section 8).
struct FetchPlan: Sendable {
    var endpoint: CanvasEndpoint
    var selection: CourseSelection
    var token: CanvasToken

    /// - Throws: ``SettingsError`` (exit 2) saying what is missing or wrong and how to give it.
    static func resolve(_ arguments: FetchArguments, settings: Settings, root: URL, environment: [String: String]) throws -> FetchPlan {
        let canvas = settings.canvas ?? CanvasSettings()
        guard let url = arguments.canvasURL ?? canvas.url else {
            throw SettingsError("no Canvas address: give --canvas-url https://school.instructure.com, or url in the [canvas] table of passback.toml")
        }
        let endpoint = try CanvasEndpoint(url, givenAs: arguments.canvasURL != nil ? "--canvas-url" : "canvas.url in passback.toml")

        let selection: CourseSelection
        if !arguments.courses.isEmpty {
            guard arguments.account == nil, arguments.term == nil else {
                throw SettingsError("give either --course (one or more) or --account with --term, not both")
            }
            var seen: Set<String> = []
            var references: [CourseReference] = []
            for text in arguments.courses {
                let reference = try CourseReference(text)
                if seen.insert(reference.description).inserted { references.append(reference) }
            }
            selection = .courses(references)
        } else {
            let account = arguments.account ?? canvas.account
            let term = arguments.term ?? canvas.term
            switch (account, term) {
            case (let account?, let term?):
                selection = .term(account: try Self.account(account), term: try Self.term(term))
            case (nil, nil):
                throw SettingsError("say which courses: --course ID (repeatable), or --account ID --term SIS_TERM_ID (or account and term in the [canvas] table of passback.toml)")
            case (nil, _?):
                throw SettingsError("--term needs an account: give --account ID, or account in the [canvas] table of passback.toml")
            case (_?, nil):
                throw SettingsError("--account needs a term: give --term SIS_TERM_ID (the term's SIS id), or term in the [canvas] table of passback.toml")
            }
        }

        let token: CanvasToken
        if let file = arguments.tokenFile {
            token = try CanvasToken.read(file: file, source: "--token-file")
        } else if let text = environment[CanvasToken.environmentVariable], !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            token = try CanvasToken(text: text, source: "CANVAS_API_TOKEN")
        } else if let file = canvas.tokenFile {
            let path = file.hasPrefix("/") ? file : root.appendingPathComponent(file).path
            token = try CanvasToken.read(file: path, source: "token_file in passback.toml")
        } else {
            throw SettingsError(
                "no Canvas token: give --token-file FILE (a file only you can read, mode 0600), set CANVAS_API_TOKEN, or set token_file in the [canvas] table of passback.toml")
        }
        return FetchPlan(endpoint: endpoint, selection: selection, token: token)
    }

    /// An account as a path component: a Canvas id, or `sis_account_id:X`.
    static func account(_ text: String) throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if !trimmed.isEmpty, trimmed.utf8.count <= 20, trimmed.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return trimmed }
        if trimmed.hasPrefix("sis_account_id:"), trimmed.count > "sis_account_id:".count {
            let sis = trimmed.dropFirst("sis_account_id:".count)
            let plain = sis.utf8.allSatisfy {
                ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")
            }
            return plain ? trimmed : "hex:sis_account_id:" + sis.utf8.map { String(format: "%02x", $0) }.joined()
        }
        throw SettingsError("--account '\(text)' is neither a Canvas account id (digits) nor sis_account_id:<SIS id>")
    }

    static func term(_ text: String) throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) else {
            throw SettingsError("--term '\(text)' is not a term's SIS id (no spaces or control characters)")
        }
        return trimmed.hasPrefix("sis_term_id:") ? String(trimmed.dropFirst("sis_term_id:".count)) : trimmed
    }
}
