internal import CLibXML2

/// An XML Schema compiled once by libxml2, validating files by streaming.
///
/// Compiling a schema is the expensive part; the compiled `xmlSchemaPtr` is read-only afterwards
/// and libxml2 lets threads share it, each with its own validation context. So one instance per
/// schema serves the whole process (``passback``, ``categories``) and ``validate(fileAt:)`` may be
/// called from many tasks at once: every call makes a fresh validation context.
///
/// Validation streams (`xmlSchemaValidateFile`, SAX underneath): no tree is built, which would
/// take gigabytes for large files. Its memory still grows with the file: libxml2 keeps every key
/// of the `xs:unique` constraints until the document ends (about 200 bytes a result), so a
/// section's file with many results is validated in parts (``PassbackValidationPlan``).
/// It is the largest cost of a bulk night (docs/PERFORMANCE.md), and kept: a file Aspire rejects
/// costs more than a slower night.
///
/// Meant for files the project wrote (passback XML before it is published). Untrusted category
/// exports are read with ``CategoryXMLReader``, which validates against ``categories`` while it
/// reads and also refuses DOCTYPEs and entity references.
final class SchemaValidator: @unchecked Sendable {
    // @unchecked: `schema` is written once in init and only read (by libxml2) afterwards.
    let schema: xmlSchemaPtr
    /// The schema's target namespace, left out of element names in messages.
    let targetNamespace: String

    /// The passback XML schema, `schemas/aspire-passback-1.xsd` (spec section 5.1).
    static let passback = SchemaValidator(embedded: EmbeddedSchemas.passback, targetNamespace: "urn:aspire-passback:1")

    /// The category export schema, `schemas/aspire-categories-1.xsd` (spec section 2.1).
    static let categories = SchemaValidator(embedded: EmbeddedSchemas.categories, targetNamespace: "urn:aspire-categories:1")

    /// Compiles a schema from its text.
    /// - Throws: ``SchemaCompilationError`` with libxml2's messages when the text is not a valid XSD.
    init(xsd: String, targetNamespace: String) throws(SchemaCompilationError) {
        let log = XMLErrorLog(hiding: targetNamespace)
        let compiled: xmlSchemaPtr? = LibXML2.withErrors(collectedIn: log) {
            let bytes = Array(xsd.utf8)
            return bytes.withUnsafeBufferPointer { buffer -> xmlSchemaPtr? in
                guard let base = buffer.baseAddress,
                    let parser = xmlSchemaNewMemParserCtxt(UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(buffer.count))
                else { return nil }
                defer { xmlSchemaFreeParserCtxt(parser) }
                xmlSchemaSetParserStructuredErrors(parser, LibXML2.structuredErrorHandler, Unmanaged.passUnretained(log).toOpaque())
                return xmlSchemaParse(parser)
            }
        }
        guard let compiled, log.isEmpty else {
            if let compiled { xmlSchemaFree(compiled) }
            throw SchemaCompilationError(problems: log.reportedProblems, genericText: log.genericText)
        }
        schema = compiled
        self.targetNamespace = targetNamespace
    }

    /// The embedded schemas are tested; failing to compile one is a bug in the build.
    private convenience init(embedded xsd: String, targetNamespace: String) {
        do {
            try self.init(xsd: xsd, targetNamespace: targetNamespace)
        } catch {
            fatalError("the embedded schema \(targetNamespace) does not compile: \(error)")
        }
    }

    deinit {
        xmlSchemaFree(schema)
    }

    /// Validates the file at `path` against the schema, streaming.
    ///
    /// - Returns: every problem found (not well-formed, or breaking the schema), each with its
    ///   line; empty when the file is valid. At most 100 are listed, then a count of the rest.
    func validate(fileAt path: String) -> [XMLProblem] {
        let log = XMLErrorLog(hiding: targetNamespace)
        let status: Int32 = LibXML2.withErrors(collectedIn: log) {
            guard let context = makeValidationContext(reportingTo: log) else { return -1 }
            defer { xmlSchemaFreeValidCtxt(context) }
            return xmlSchemaValidateFile(context, path, 0)
        }
        return problems(status: status, log: log)
    }

    /// What a validation that ended with `status` found: the problems logged, or why it could
    /// not validate.
    func problems(status: Int32, log: XMLErrorLog) -> [XMLProblem] {
        if status == 0 { return log.reportedProblems }
        if log.isEmpty { return [Self.failureWithoutMessage(status: status, log: log)] }
        return log.reportedProblems
    }

    /// Why a validation that ended with `status` failed when libxml2 reported no problem.
    static func failureWithoutMessage(status: Int32, log: XMLErrorLog) -> XMLProblem {
        let detail = log.genericText.trimmingWhitespace()
        let message = detail.isEmpty ? "libxml2 could not validate the file (status \(status)); is it readable?" : detail
        return XMLProblem(line: nil, message: message, origin: .other)
    }

    /// A fresh validation context of this schema whose errors go to `log`; the caller frees it
    /// (after anything that uses it, such as a reader).
    func makeValidationContext(reportingTo log: XMLErrorLog) -> xmlSchemaValidCtxtPtr? {
        guard let context = xmlSchemaNewValidCtxt(schema) else { return nil }
        xmlSchemaSetValidStructuredErrors(context, LibXML2.structuredErrorHandler, Unmanaged.passUnretained(log).toOpaque())
        return context
    }
}
