import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The folder that holds everything of one installation (spec section 1): where registrars drop
/// files, where Aspire picks up XML, the reports, the archive, the quarantine and the ledger.
public struct Workspace: Sendable {
    public let root: URL

    public init(root: URL) {
        self.root = root.standardizedFileURL
    }

    var inbox: URL { root.appendingPathComponent("inbox", isDirectory: true) }
    var outbox: URL { root.appendingPathComponent("outbox", isDirectory: true) }
    var reports: URL { root.appendingPathComponent("reports", isDirectory: true) }
    var archive: URL { root.appendingPathComponent("archive", isDirectory: true) }
    var quarantine: URL { root.appendingPathComponent("quarantine", isDirectory: true) }
    var state: URL { root.appendingPathComponent("state", isDirectory: true) }
    /// Claimed inputs of runs in progress, `work/<run id>/`.
    var work: URL { root.appendingPathComponent("work", isDirectory: true) }

    public var ledgerPath: String { state.appendingPathComponent("ledger.sqlite").path }
    var lockPath: String { state.appendingPathComponent("run.lock").path }

    /// Checks that the root is a workspace `passback init` made and that everything a run needs
    /// is there and usable; it never creates anything (spec section 1, v2: a workspace is made by
    /// `init`, never implicitly).
    /// - Throws: ``WorkspaceError`` when the root is not a workspace, lies inside another
    ///   workspace's folders, misses a folder, or cannot be used.
    public func prepare() throws {
        try Self.requireWorkspace(at: root)
        for folder in WorkspaceLayout.folders {
            let path = root.appendingPathComponent(folder.name).path
            var info = stat()
            // Followed: only the service account can change the root's entries (an operator may
            // have made `inbox` a link to another folder).
            guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
                throw WorkspaceError("\(path) is missing or not a folder; repair the workspace with: passback init --root \(root.path)")
            }
            guard access(path, W_OK | X_OK) == 0 else {
                throw WorkspaceError("\(path) is not writable by this user; run passback as the workspace's owner")
            }
        }
        // Claims are renames: the inbox and the rest of the workspace must share a filesystem.
        var inboxInfo = stat()
        var workInfo = stat()
        guard stat(inbox.path, &inboxInfo) == 0, stat(work.path, &workInfo) == 0 else {
            throw WorkspaceError("cannot examine \(inbox.path)")
        }
        guard inboxInfo.st_dev == workInfo.st_dev else {
            throw WorkspaceError("\(inbox.path) is on another filesystem than \(work.path); files are claimed by rename(2), so the inbox must live on the workspace's filesystem")
        }
    }

    /// A name safe to use as one path component for an identifier from the inputs (section and
    /// term ids): letters, digits, `-`, `_` and `.` kept (not a leading `.`), everything else
    /// written `%XX`, long names cut and made unique with a hash.
    static func fileComponent(_ identifier: String, maximumLength: Int = 96) -> String {
        var out = ""
        for (index, byte) in identifier.utf8.enumerated() {
            let keep =
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || (byte == UInt8(ascii: ".") && index > 0)
            if keep {
                out.append(Character(Unicode.Scalar(byte)))
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        if out.isEmpty { out = "%00" }
        if out.utf8.count > maximumLength {
            out = String(out.prefix(maximumLength - 17)) + "~" + nameHash(identifier.utf8)
        }
        return out
    }

    /// A short, stable hash (FNV-1a, hex) that keeps names cut to a length limit distinct.
    static func nameHash(_ bytes: some Sequence<UInt8>) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
