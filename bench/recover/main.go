// Command recover writes the inputs of the key recovery benchmark
// (bench/recover.sh): an mbox of messages signed with one committed test
// key (rsa-sha256 and rsa-sha1 in turn), and for bench/recover/gmpgcd.c the
// signatures and their PKCS #1 v1.5 blocks in hex, one number a line:
// s1, m1, s2, m2.
//
//	go run ./bench/recover -key rsa1024 -messages 2 -out DIR
package main

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"flag"
	"fmt"
	"log"
	"math/big"
	"os"
	"path/filepath"
	"strings"

	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testmail"
)

func main() {
	keyName := flag.String("key", "rsa1024", "committed test key: rsa512, rsa768, rsa1024 or rsa2048")
	n := flag.Int("messages", 2, "messages to sign")
	out := flag.String("out", ".", "folder to write NAME.mbox and NAME.hex into")
	flag.Parse()
	key := testmail.MustKey(*keyName)
	var mbox strings.Builder
	var hex []string
	for i := range *n {
		alg := "rsa-sha256"
		if i%2 == 1 {
			alg = "rsa-sha1"
		}
		msg := testmail.Message{Subject: fmt.Sprintf("recovery %d", i), MessageID: fmt.Sprintf("<recover-%s-%d@example.com>", *keyName, i)}.Bytes()
		signed := testmail.MustSign(msg, key, &testmail.SignOptions{Algorithm: alg})
		mbox.WriteString("From MAILER-DAEMON Thu Jan  1 00:00:00 2015\n")
		mbox.WriteString(strings.ReplaceAll(string(signed), "\r\n", "\n"))
		mbox.WriteString("\n")
		if i < 2 {
			s, m := blocks(signed, key)
			hex = append(hex, s, m)
		}
	}
	must(os.WriteFile(filepath.Join(*out, *keyName+".mbox"), []byte(mbox.String()), 0o644))
	must(os.WriteFile(filepath.Join(*out, *keyName+".hex"), []byte(strings.Join(hex, "\n")+"\n"), 0o644))
}

// blocks returns the signature s and its PKCS #1 v1.5 block m = s^e mod n,
// in hex (the key is at hand, so m needs no header hashing).
func blocks(msg []byte, key *testmail.Key) (s, m string) {
	v, err := dkim.VerifyBytes(context.Background(), msg, nil)
	must(err)
	b, err := base64.StdEncoding.DecodeString(v.Signatures[0].B)
	must(err)
	pub := key.Public().(*rsa.PublicKey)
	sig := new(big.Int).SetBytes(b)
	return sig.Text(16), new(big.Int).Exp(sig, big.NewInt(int64(pub.E)), pub.N).Text(16)
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
