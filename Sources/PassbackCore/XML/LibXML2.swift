internal import CLibXML2

/// The few things every use of libxml2 in the project shares: one-time initialisation, turning
/// `xmlChar` strings into Swift strings, and routing libxml2's error output into Swift.
///
/// libxml2 reports problems two ways. Structured errors (`xmlError`: level, domain, line,
/// message) go to a handler set on a context (parser, reader, schema validation context) or, when
/// none is set, to the calling thread's global structured handler. Some messages bypass both and go
/// to the thread's "generic" handler, which prints to standard error by default. A batch tool must
/// not print libxml2's chatter, and must attach every problem to the file and line it concerns, so
/// every call into libxml2 that can report runs inside ``withErrors(collectedIn:_:)``.
enum LibXML2 {
    /// `xmlInitParser()` is not safe to race with other first uses of the library; call it once,
    /// before anything else. Never `xmlCleanupParser()`: the process (and Foundation's XML
    /// support) shares the library until exit.
    static func initialize() {
        _ = initialized
    }

    private static let initialized: Bool = {
        xmlInitParser()
        return true
    }()

    /// A Swift string from a NUL-terminated `xmlChar` string that libxml2 owns.
    static func string(_ pointer: UnsafePointer<xmlChar>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }

    /// A Swift string from an `xmlChar` string that the caller owns: frees it with `xmlFree`.
    static func takeString(_ pointer: UnsafeMutablePointer<xmlChar>?) -> String? {
        guard let pointer else { return nil }
        defer { passback_xmlFree(pointer) }
        return String(cString: pointer)
    }

    /// Calls `body` with `text` as a NUL-terminated `xmlChar` string, without copying.
    static func withXMLString<Result>(_ text: String, _ body: (UnsafePointer<xmlChar>) throws -> Result) rethrows -> Result {
        try text.withCString { pointer in
            try body(UnsafeRawPointer(pointer).assumingMemoryBound(to: xmlChar.self))
        }
    }

    /// The structured-error handler that appends to the ``XMLErrorLog`` passed as user data.
    /// (C callbacks cannot capture, so the log travels through libxml2's user-data pointer.)
    static let structuredErrorHandler: xmlStructuredErrorFunc = { userData, error in
        guard let userData, let error else { return }
        Unmanaged<XMLErrorLog>.fromOpaque(userData).takeUnretainedValue().record(error.pointee)
    }

    /// Runs `body` with the calling thread's libxml2 error handlers pointed at `log`: structured
    /// errors are recorded, generic messages are kept as text (never printed). The thread's
    /// previous handlers are put back afterwards.
    ///
    /// libxml2 keeps these handlers per thread, and `body` is synchronous, so concurrent calls on
    /// other threads do not interfere.
    static func withErrors<Result>(collectedIn log: XMLErrorLog, _ body: () throws -> Result) rethrows -> Result {
        initialize()
        let context = Unmanaged.passUnretained(log).toOpaque()
        let target = UnsafeMutablePointer<passback_generic_error_target>.allocate(capacity: 1)
        target.initialize(
            to: passback_generic_error_target(
                sink: { context, message in
                    guard let context, let message else { return }
                    Unmanaged<XMLErrorLog>.fromOpaque(context).takeUnretainedValue().recordGeneric(String(cString: message))
                },
                context: context
            ))
        let previous = passback_currentErrorHandlers()
        passback_installErrorHandlers(structuredErrorHandler, context, target)
        defer {
            passback_restoreErrorHandlers(previous)
            target.deinitialize(count: 1)
            target.deallocate()
        }
        return try withExtendedLifetime(log) { try body() }
    }
}
