package bot

import "testing"

func TestConsoleShowsLinkAddresses(t *testing.T) {
	got := stripTags(linksShown(`Open <a href="https://www.ups.com/track?loc=en_US&amp;tracknum=1Z">the UPS page</a> or <b>not</b>`))
	if want := "Open the UPS page (https://www.ups.com/track?loc=en_US&tracknum=1Z) or not"; got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}
