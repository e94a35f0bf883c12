import Mustache

/// The values a staff page template shows, in the forms swift-mustache reads fastest.
///
/// The library finds each `{{name}}` by casting the values on its context stack to its protocols
/// at run time; a dictionary (a conditional conformance) and a plain `String` (rendered through
/// `String(describing:)`) cost more casts than a class that is a `MustacheParent` and a text that
/// is `MustacheCustomRenderable`. A 2,000-course night has about 40,000 tags to fill; these forms
/// took a fifth off the time to render them (measured on a copy of the course template). The
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
}
