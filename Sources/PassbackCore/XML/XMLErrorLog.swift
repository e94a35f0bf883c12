internal import CLibXML2
import Foundation

/// The problems libxml2 reported during one call (one validation, one read), collected through
/// the user-data pointer of its error handlers. Used by one thread at a time.
final class XMLErrorLog {
    /// Errors and fatal errors, in the order reported; warnings are left out.
    private(set) var problems: [XMLProblem] = []
    /// Problems left out once ``maximumProblems`` were kept.
    private(set) var omittedProblemCount = 0
    /// What came through libxml2's generic (unstructured) channel, concatenated.
    private(set) var genericText = ""

    /// The namespace written `{namespace}` in libxml2's element names that messages leave out.
    let hiddenNamespace: String?
    /// A file with a million bad results must not make a million messages.
    let maximumProblems: Int

    init(hiding namespace: String? = nil, maximumProblems: Int = 100) {
        hiddenNamespace = namespace
        self.maximumProblems = maximumProblems
    }

    var isEmpty: Bool { problems.isEmpty }

    func record(_ error: xmlError) {
        guard error.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
        // Past the maximum only the count matters: the message is not worth building.
        guard problems.count < maximumProblems else {
            omittedProblemCount += 1
            return
        }
        var message = error.message.map { String(cString: $0) } ?? "libxml2 error \(error.code)"
        // Some messages span lines ("Input is not proper UTF-8, indicate encoding !\nBytes: ...").
        message = message.trimmingWhitespace().replacingOccurrences(of: "\n", with: " ")
        if let hiddenNamespace {
            message = message.replacingOccurrences(of: "{\(hiddenNamespace)}", with: "")
        }
        let origin: XMLProblem.Origin
        switch UInt32(bitPattern: error.domain) {
        case XML_FROM_PARSER.rawValue, XML_FROM_NAMESPACE.rawValue:
            origin = .parser
        case XML_FROM_SCHEMASV.rawValue:
            origin = .schema
        case XML_FROM_I18N.rawValue:
            origin = .encoding
        default:
            origin = .other
        }
        record(XMLProblem(line: error.line > 0 ? Int(error.line) : nil, message: message, origin: origin))
    }

    /// Keeps a problem (one of libxml2's, or one found without a message from it), counted
    /// against the maximum like the others.
    func record(_ problem: XMLProblem) {
        guard problems.count < maximumProblems else {
            omittedProblemCount += 1
            return
        }
        problems.append(problem)
    }

    /// Gives the problems at `indices` the lines `newLine` says (nil: none), for problems found
    /// in a document whose lines are not the file's (``ValidationWhileWriting``'s parts).
    func relocateLines(of indices: Range<Int>, _ newLine: (Int) -> Int?) {
        for index in indices {
            if let line = problems[index].line { problems[index].line = newLine(line) }
        }
    }

    /// Drops a problem reported again with the same line and message (a line item's start is in
    /// its own part and in the outline part of a file validated in parts).
    func removeRepeatedProblems() {
        var seen: Set<String> = []
        problems = problems.filter { seen.insert($0.description).inserted }
    }

    func recordGeneric(_ text: String) {
        guard genericText.utf8.count < 4096 else { return }
        genericText += text
    }

    /// The problems, with a last entry counting those left out.
    var reportedProblems: [XMLProblem] {
        guard omittedProblemCount > 0 else { return problems }
        return problems + [XMLProblem(line: nil, message: "\(omittedProblemCount) more problems not listed.", origin: .other)]
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
