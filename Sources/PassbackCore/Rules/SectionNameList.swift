import Foundation

extension RuleCode {
    /// A gradebook section name that no Canvas section has, an enrollment in a section the bundle
    /// does not list, or a Canvas section whose SIS id Aspire would receive changed.
    static let unknownSection = RuleCode("unknown-section")
}

/// Splits a gradebook `Section` cell into the course's section names.
///
/// Canvas joins a student's sections with Rails' `to_sentence` (`A and B`, `A, B, and C`), and
/// section names may themselves contain `and` or commas, so the cell is split only where the pieces
/// are all real section names of the course (the longest names are tried first).
struct SectionNameList: Sendable {
    let knownNames: Set<String>
    private let namesLongestFirst: [String]

    init(knownNames: some Sequence<String>) {
        self.knownNames = Set(knownNames)
        namesLongestFirst = self.knownNames.sorted { $0.count != $1.count ? $0.count > $1.count : $0 < $1 }
    }

    /// The section names in `text`, or `nil` when it cannot be read as a list of known names.
    func split(_ text: String) -> [String]? {
        let trimmed = text.trimmedOfWhitespaces
        if knownNames.contains(trimmed) { return [trimmed] }
        return split(Substring(trimmed), first: true)
    }

    private static let separators = [", and ", " and ", ", "]

    private func split(_ text: Substring, first: Bool) -> [String]? {
        for name in namesLongestFirst where text.hasPrefix(name) {
            let rest = text.dropFirst(name.count)
            if rest.isEmpty { return [name] }
            for separator in Self.separators where rest.hasPrefix(separator) {
                if let tail = split(rest.dropFirst(separator.count), first: false) {
                    return [name] + tail
                }
            }
        }
        return nil
    }
}
