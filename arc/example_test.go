package arc_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/leakproof/leakproof/arc"
	"github.com/leakproof/leakproof/dkim"
)

// ExampleVerify checks a generated three-hop chain with keys from a key
// file, offline.
func ExampleVerify() {
	f, err := os.Open("../testdata/arc/keys.jsonl")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	keys, err := dkim.ReadKeyFile(f, "keys.jsonl")
	if err != nil {
		fmt.Println(err)
		return
	}
	msg, err := os.ReadFile("../testdata/arc/broken_seal_i2.eml")
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := arc.Verify(context.Background(), msg, &dkim.Options{Keys: keys})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("chain:", res.Chain, "failed instance:", res.FailedInstance)
	fmt.Println("header signature of a seal does not verify:", errors.Is(res.Err, dkim.ErrHeaderSignature))
	for _, in := range res.Instances {
		fmt.Printf("i=%d sealer=%s cv=%s seal=%s message_signature=%s sealed=%s\n",
			in.Instance, in.Sealer, in.CV, in.Seal, in.MessageSignature, in.SealTime.Format("2006-01-02 15:04:05"))
	}
	// Output:
	// chain: fail failed instance: 2
	// header signature of a seal does not verify: true
	// i=1 sealer=example.org cv=none seal=pass message_signature=pass sealed=2016-03-01 10:01:05
	// i=2 sealer=example.com cv=pass seal=fail message_signature=pass sealed=2016-03-01 10:02:05
	// i=3 sealer=example.org cv=pass seal=pass message_signature=pass sealed=2016-03-01 10:03:05
}
