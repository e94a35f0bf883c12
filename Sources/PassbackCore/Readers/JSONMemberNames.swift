import Foundation

/// The member names of one kind of JSON object, made from the coding keys of its `Decodable`
/// type, for ``CanvasBundleFastReader`` to match key bytes against: the fast path reads exactly
/// the members the decoder reads, by the same names, because there is one list of them.
///
/// Made once per kind (a `static let`) and never freed: the names lie back to back in one buffer
/// and are compared by length, then bytes, with no string built and no reference counted per key
/// (a bundle has about a thousand keys).
struct JSONMemberNames<Key: CodingKey & CaseIterable>: @unchecked Sendable {
    private struct Entry {
        var start: Int
        var count: Int
        var key: Key
    }

    private let bytes: UnsafeMutableBufferPointer<UInt8>
    private let entries: UnsafeMutableBufferPointer<Entry>

    init() {
        let names = Key.allCases.map { (Array($0.stringValue.utf8), $0) }
        bytes = .allocate(capacity: max(1, names.reduce(0) { $0 + $1.0.count }))
        entries = .allocate(capacity: max(1, names.count))
        var offset = 0
        for (index, (name, key)) in names.enumerated() {
            _ = UnsafeMutableBufferPointer(rebasing: bytes[offset..<(offset + name.count)]).initialize(from: name)
            (entries.baseAddress! + index).initialize(to: Entry(start: offset, count: name.count, key: key))
            offset += name.count
        }
        count = names.count
    }

    private let count: Int

    /// The key `name` spells, or `nil` for a member the type does not read.
    @inline(__always)
    func key(_ name: UnsafeBufferPointer<UInt8>) -> Key? {
        guard let base = name.baseAddress else { return nil }
        for index in 0..<count {
            let entry = entries[index]
            if entry.count == name.count, bytes[entry.start] == base[0], memcmp(bytes.baseAddress! + entry.start, base, entry.count) == 0 {
                return entry.key
            }
        }
        return nil
    }
}
