/// The `rel="next"` target of HTTP `Link` headers (RFC 8288), as Canvas paginates every list:
/// `<https://.../sections?page=2&per_page=100>; rel="next",<...>; rel="first"`.
///
/// The target is taken as Canvas wrote it: page tokens are opaque (some lists page by bookmark,
/// `page=bookmark:WzEwMF0`), so no page number is ever built. A header that cannot be read is
/// treated as having no `next` link only when it has no `rel="next"` text at all; one that
/// mentions `next` but cannot be parsed is reported, so a page is never silently the last.
enum LinkHeader {
    struct Unreadable: Error, Equatable {
        var header: String
    }

    /// The `next` target across all `Link` field values, or `nil` when there is none.
    /// - Throws: ``Unreadable`` when a value mentions `next` but is not a link list.
    static func next(in values: [String]) throws -> String? {
        for value in values {
            guard let links = parse(value) else {
                if value.lowercased().contains("next") { throw Unreadable(header: value) }
                continue
            }
            for link in links where link.relations.contains("next") {
                return link.target
            }
        }
        return nil
    }

    struct Link: Equatable {
        var target: String
        /// Lowercased relation types (`rel="next last"` is two).
        var relations: [String]
    }

    /// `<target>; param=value; param="value", <target>...`, or `nil` when the text is not that.
    static func parse(_ text: String) -> [Link]? {
        var links: [Link] = []
        var scalars = Substring(text).unicodeScalars[...]
        func skipSpaces() {
            while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        }
        while true {
            skipSpaces()
            if scalars.isEmpty { break }
            guard scalars.first == "<" else { return nil }
            scalars.removeFirst()
            guard let close = scalars.firstIndex(of: ">") else { return nil }
            let target = String(String.UnicodeScalarView(scalars[..<close]))
            scalars = scalars[scalars.index(after: close)...]
            var relations: [String] = []
            // Parameters until the next top-level comma.
            while true {
                skipSpaces()
                guard let first = scalars.first else { break }
                if first == "," {
                    scalars.removeFirst()
                    break
                }
                guard first == ";" else { return nil }
                scalars.removeFirst()
                skipSpaces()
                var name = ""
                while let c = scalars.first, c != "=", c != ";", c != ",", c != " ", c != "\t" {
                    name.unicodeScalars.append(c)
                    scalars.removeFirst()
                }
                skipSpaces()
                var value = ""
                if scalars.first == "=" {
                    scalars.removeFirst()
                    skipSpaces()
                    if scalars.first == "\"" {
                        scalars.removeFirst()
                        var closed = false
                        while let c = scalars.first {
                            scalars.removeFirst()
                            if c == "\\", let escaped = scalars.first {
                                value.unicodeScalars.append(escaped)
                                scalars.removeFirst()
                            } else if c == "\"" {
                                closed = true
                                break
                            } else {
                                value.unicodeScalars.append(c)
                            }
                        }
                        guard closed else { return nil }
                    } else {
                        while let c = scalars.first, c != ";", c != ",", c != " ", c != "\t" {
                            value.unicodeScalars.append(c)
                            scalars.removeFirst()
                        }
                    }
                }
                if name.lowercased() == "rel" {
                    relations += value.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                }
            }
            links.append(Link(target: target, relations: relations))
        }
        return links
    }
}
