// OpenSSL's libcrypto as Debian packages it (libssl-dev): the EVP digest interface only.
#include <openssl/evp.h>
