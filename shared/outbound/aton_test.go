package outbound

import "testing"

func TestParseAton(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" when inet_aton refuses it
	}{
		{"127.0.0.1", "127.0.0.1"},
		{"2130706433", "127.0.0.1"},
		{"017700000001", "127.0.0.1"},
		{"0x7f000001", "127.0.0.1"},
		{"0X7F000001", "127.0.0.1"},
		{"0177.0.0.1", "127.0.0.1"},
		{"0x7f.0.0.1", "127.0.0.1"},
		{"0x7f.0x0.0x0.0x1", "127.0.0.1"},
		{"127.1", "127.0.0.1"},
		{"127.0.1", "127.0.0.1"},
		{"0", "0.0.0.0"},
		{"0x", "0.0.0.0"},
		{"169.254.43518", "169.254.169.254"},
		{"0xa9fea9fe", "169.254.169.254"},
		{"2852039166", "169.254.169.254"},
		{"10.1", "10.0.0.1"},
		{"127.0.0.1.", "127.0.0.1"},
		{"134744072", "8.8.8.8"},
		{"4294967295", "255.255.255.255"},
		{"4294967296", ""},
		{"256.0.0.1", ""},
		{"1.2.3.256", ""},
		{"1.2.65536", ""},
		{"1.2.3.4.5", ""},
		{"08.0.0.1", ""}, // 8 is not an octal digit
		{"0x1g", ""},
		{"1..2", ""},
		{"", ""},
		{"+1", ""},
		{"99999999999999999999999", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			a, ok := parseAton(tt.in)
			got := ""
			if ok {
				got = a.String()
			}
			if got != tt.want {
				t.Fatalf("parseAton(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestEndsInNumber(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"2130706433", true},
		{"127.1", true},
		{"0x7f.0.0.1", true},
		{"foo.0x1", true},
		{"api.example.42", true},
		{"1.2.3.4.", true},
		{"api.openai.com", false},
		{"0x7f.example", false},
		{"1e100.net", false},
		{"host-1", false},
		{"0xg", false},
		{"example.", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := endsInNumber(tt.in); got != tt.want {
				t.Fatalf("endsInNumber(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}
