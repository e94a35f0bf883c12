import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Which folders are workspaces, so that no command makes one by accident or works on the wrong
/// one (spec section 1, v2). Version 1 made a workspace wherever `--root` pointed: a typo made an
/// empty one and said "nothing to do", and `--root ws/inbox` made one inside the inbox.
extension Workspace {
    /// The workspace at `root`, checked: an existing folder that `passback init` made, not inside
    /// another workspace's folders. `run`, `status`, `watch` and `fetch` start with this.
    /// - Throws: ``WorkspaceError`` saying what to do (exit 2).
    public static func openExisting(root: URL) throws -> Workspace {
        let workspace = Workspace(root: root)
        try requireWorkspace(at: workspace.root)
        return workspace
    }

    /// Throws unless `root` is a workspace that is not inside another's folders.
    static func requireWorkspace(at root: URL) throws {
        let path = root.path
        if let (outer, folder) = enclosingWorkspace(of: root) {
            throw WorkspaceError("\(path) \(Workspace.describe(root, within: outer, folder: folder)); use --root \(outer.path)")
        }
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw WorkspaceError("\(path) is not a passback workspace: it does not exist. Make one with: passback init --root \(path) [--group NAME]")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw WorkspaceError("\(path) is not a folder, so it cannot be a passback workspace")
        }
        guard isWorkspace(root) else {
            throw WorkspaceError("\(path) is not a passback workspace (it has no inbox/ and state/ folders). Make one with: passback init --root \(path) [--group NAME]")
        }
    }

    /// Whether `folder` holds a workspace: its `inbox/` and `state/` folders. (A version 1
    /// workspace, made implicitly, has them too, so it keeps working.)
    static func isWorkspace(_ folder: URL) -> Bool {
        func isFolder(_ name: String) -> Bool {
            var info = stat()
            return stat(folder.appendingPathComponent(name).path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
        }
        return isFolder("inbox") && isFolder("state")
    }

    /// The workspace whose folders (`inbox/`, `state/`, ...) hold `root`, at any depth, with the
    /// name of that folder; `nil` when there is none. Links in the path are resolved first, so a
    /// link into another workspace's inbox is found too.
    static func enclosingWorkspace(of root: URL) -> (workspace: URL, folder: String)? {
        var components = resolved(root).pathComponents
        while components.count > 1 {
            let inner = components.removeLast()
            let parent = URL(fileURLWithPath: NSString.path(withComponents: components), isDirectory: true)
            // `root` itself being a workspace's folder, or anything below one.
            if WorkspaceLayout.folderNames.contains(inner), isWorkspace(parent) {
                return (parent.standardizedFileURL, inner)
            }
        }
        return nil
    }

    /// `is the inbox/ folder of the workspace /ws`, or `is inside the inbox/ folder of ...`.
    static func describe(_ root: URL, within outer: URL, folder: String) -> String {
        let exact = resolved(root).standardizedFileURL.path == outer.appendingPathComponent(folder).standardizedFileURL.path
        return "is \(exact ? "the" : "inside the") \(folder)/ folder of the workspace \(outer.path)"
    }

    /// `path` with the links of its longest existing prefix resolved (`realpath(3)`), and the
    /// rest as written.
    private static func resolved(_ url: URL) -> URL {
        var existing = url.standardizedFileURL
        var rest: [String] = []
        while existing.path != "/" {
            if let real = realpath(existing.path, nil) {
                defer { free(real) }
                var result = URL(fileURLWithPath: String(cString: real), isDirectory: true)
                for component in rest.reversed() { result.appendPathComponent(component) }
                return result
            }
            rest.append(existing.lastPathComponent)
            existing.deleteLastPathComponent()
        }
        var result = URL(fileURLWithPath: "/", isDirectory: true)
        for component in rest.reversed() { result.appendPathComponent(component) }
        return result
    }
}
