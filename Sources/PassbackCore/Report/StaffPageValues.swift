import Mustache

/// The values a staff page template shows, in the forms swift-mustache reads fastest.
///
/// The library finds each `{{name}}` by casting the values on its context stack to its protocols
/// at run time; a dictionary (a conditional conformance) and a plain `String` (rendered through
/// `String(describing:)`) cost more casts than a class that is a `MustacheParent` and a text that
/// is `MustacheCustomRenderable`; these forms took a fifth off the time to render a course. The
/// rows of "what to fix" (thousands on a bad night) are classes of their own that answer each
/// name from their stored texts, with no dictionary and no ``prepared(_:)`` pass over them. The
/// text still goes through the content type's escaping (``StaffPageEscaping``).
enum StaffPageValues {
    /// `value` with every dictionary made a ``Object`` and every string a ``Text``, all the way
    /// down.
    static func prepared(_ value: Any) -> Any {
        switch value {
        case let text as String: Text(renderText: text)
        case let values as [String: Any]: Object(values.mapValues(prepared))
        case let list as [[String: Any]]: list.map { Object($0.mapValues(prepared)) as Any }
        case let list as [String]: list.map { Text(renderText: $0) as Any }
        case let list as [Any]: list.map(prepared)
        default: value
        }
    }

    final class Object: MustacheParent {
        let values: [String: Any]

        init(_ values: [String: Any]) {
            self.values = values
        }

        func child(named name: String) -> Any? { values[name] }
    }

    struct Text: MustacheCustomRenderable {
        let renderText: String
        var isNull: Bool { false }
    }

    /// A row of "what to fix" that is not a problem (a course's heading, a section's, the start
    /// of an assignment's row: ``StaffPageTemplates/course``, ``StaffPageTemplates/section``,
    /// ``StaffPageTemplates/fixRowStart(_:)``): its few texts by name, answered without a
    /// dictionary.
    final class Row: MustacheParent {
        private let texts: [(name: String, text: Text)]

        init(_ texts: KeyValuePairs<String, String>) {
            self.texts = texts.map { ($0.key, Text(renderText: $0.value)) }
        }

        func child(named name: String) -> Any? { texts.first { $0.name == name }?.text }
    }

    /// A problem's cells in "what to fix" (``StaffPageTemplates/problemCells(_:)``), in the
    /// template of their form.
    final class ProblemCells: MustacheParent {
        /// What the cells show: equal contents render the same text.
        struct Content: Hashable, Sendable {
            var form: ProblemCellsForm
            var rule: String
            var message: String
            var who: String
            var idsLabel = ""
            var ids = ""
        }

        let content: Content

        init(_ content: Content) {
            self.content = content
        }

        func child(named name: String) -> Any? {
            switch name {
            case "rule": Text(renderText: content.rule)
            case "message": Text(renderText: content.message)
            case "who": Text(renderText: content.who)
            case "idsLabel": Text(renderText: content.idsLabel)
            case "ids": Text(renderText: content.ids)
            default: nil
            }
        }
    }
}
