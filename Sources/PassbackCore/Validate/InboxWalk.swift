import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A folder listed as a run lists its inbox (``InboxScanner``), but read-only, for `validate`:
/// the same names left out (hidden and partial files, hidden folders), the same refusals (links,
/// pipes, devices, hard links, names that are not UTF-8), nothing renamed or moved. Walked
/// through held folders, never following a link.
struct InboxWalk {
    /// Files a run would consider, named by their path (the folder given, then the file's path
    /// below it).
    var files: [InboxFile] = []
    /// Entries a run would quarantine as `unknown-file` without reading them, with the run's reason.
    var refused: [(path: String, reason: String)] = []

    init(folder: String) throws {
        let base = folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        let root: FolderHandle
        do {
            root = try FolderHandle.open(base)
        } catch {
            throw FileSystemError("cannot list \(base): \(error)")
        }
        // As the run walks its inbox (``InboxScanner``): subfolders opened in their turn, so the
        // descriptors held are one branch's; paths too long for a run to open once claimed refused.
        let longest = InboxScanner.longestRelativePath(inbox: URL(fileURLWithPath: base))
        var pending: [(parent: FolderHandle?, name: String, prefix: String)] = [(nil, "", base)]
        while let (parent, folderName, prefix) = pending.popLast() {
            let handle: FolderHandle
            if let parent {
                guard let child = try? parent.folder(folderName) else {
                    refused.append((prefix, "A run skips this folder: it cannot be listed; give the service account read and search permission on it."))
                    continue
                }
                handle = child
            } else {
                handle = root
            }
            guard let names = try? handle.names() else {
                refused.append((prefix, "A run skips this folder: it cannot be listed; give the service account read and search permission on it."))
                continue
            }
            for entry in names.sorted(by: { $0.bytes.lexicographicallyPrecedes($1.bytes) }) {
                guard entry.isUTF8 else {
                    refused.append(
                        (
                            prefix + "/" + entry.name,
                            "The file's name is not UTF-8 text: a run renames it with its other bytes written %XX and quarantines it. Give the file a plain name (letters, digits, '-', '_', '.')."
                        ))
                    continue
                }
                let name = entry.name
                if InputKind.isIgnored(name: name) { continue }
                let path = prefix + "/" + name
                guard let info = handle.entry(name) else { continue }
                let relative = String(path.dropFirst(base.count + 1))
                if info.st_mode & S_IFMT == S_IFDIR {
                    pending.append((handle, name, path))
                } else if relative.utf8.count > longest {
                    refused.append((path, InboxScanner.pathTooLong(relative, longest: longest)))
                } else if let refusal = InputMover.refusal(of: info) {
                    refused.append((path, refusal))
                } else {
                    files.append(InboxFile(relativePath: path, size: Int64(info.st_size), modified: info.modificationDate))
                }
            }
        }
        files.sort { $0.relativePath < $1.relativePath }
    }
}
