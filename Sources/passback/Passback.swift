import PassbackCore

@main
struct Passback {
    static func main() {
        print("passback")
    }
}
