package mongo

// ClientOptions lets the tests read the driver settings Open uses.
var ClientOptions = clientOptions
