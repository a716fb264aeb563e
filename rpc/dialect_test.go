package rpc

import "github.com/gokurento/kurento/internal/kms"

// kmsDialect is the dialect the client package gives a connection to KMS,
// for the tests of the paths it enables.
func kmsDialect() Dialect {
	return Dialect{ReplyID: kms.ReplyID, Notification: kms.Notification, PrefixID: kms.PrefixID, Secret: kms.Secret}
}

// KMSDialect exports kmsDialect to the external tests.
func KMSDialect() Dialect { return kmsDialect() }
