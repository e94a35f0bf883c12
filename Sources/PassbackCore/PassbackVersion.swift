/// The version `passback --version` prints.
public enum PassbackVersion {
    public static let current = "0.1.0"
}
