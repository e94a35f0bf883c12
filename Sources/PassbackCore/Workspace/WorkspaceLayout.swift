#if canImport(Glibc)
import Glibc
#endif

/// The folders of a workspace and who may do what in each (spec section 1, v2).
///
/// The service account owns everything. When the workspace has a registrars' group, the group
/// may drop files into `inbox/` (setgid and group-writable, so what they drop belongs to the
/// group; sticky, so a registrar cannot remove or replace another's drop, while the service
/// account, which owns the folder, claims them all) and read `reports/` and `quarantine/`
/// (setgid and group-readable, so what the project writes there is the group's); `state/`,
/// `outbox/`, `archive/` and `work/` stay private. Nothing is ever open to others.
enum WorkspaceLayout {
    enum Access: Sendable, Equatable {
        /// Service account only.
        case owner
        /// The registrars' group may add files.
        case groupDrop
        /// The registrars' group may read.
        case groupRead
    }

    struct Folder: Sendable, Equatable {
        var name: String
        var access: Access
    }

    static let folders: [Folder] = [
        Folder(name: "inbox", access: .groupDrop),
        Folder(name: "outbox", access: .owner),
        Folder(name: "reports", access: .groupRead),
        Folder(name: "archive", access: .owner),
        Folder(name: "quarantine", access: .groupRead),
        Folder(name: "state", access: .owner),
        Folder(name: "work", access: .owner),
    ]

    static var folderNames: [String] { folders.map(\.name) }

    /// The mode of the workspace root: the group may enter it (to reach its shared folders) and
    /// list it, never write.
    static func rootMode(shared: Bool) -> mode_t { shared ? 0o750 : 0o700 }

    /// The mode of one of the workspace's folders.
    static func mode(of access: Access, shared: Bool) -> mode_t {
        guard shared else { return 0o700 }
        switch access {
        case .owner: return 0o700
        case .groupDrop: return S_ISGID | S_ISVTX | 0o770
        case .groupRead: return S_ISGID | 0o750
        }
    }

    /// The mode of a file the project writes in a folder of mode `folderMode`: group-readable
    /// where the group may read the folder, otherwise the owner's alone; never others'.
    static func fileMode(inFolderOfMode folderMode: mode_t) -> mode_t {
        0o600 | (folderMode & 0o040)
    }

    /// The mode of a folder the project makes in a folder of mode `parentMode`: its parent's
    /// group access (read and search only) and setgid, so a run's quarantine folder is as
    /// readable to the group as `quarantine/` itself. (Write access only where `requested`
    /// asks for it too; the sticky bit is the inbox's alone.)
    static func folderMode(_ requested: mode_t, inFolderOfMode parentMode: mode_t) -> mode_t {
        (requested & 0o700) | (requested & 0o070 & (parentMode & 0o070)) | (parentMode & 0o050) | (parentMode & S_ISGID)
    }
}
