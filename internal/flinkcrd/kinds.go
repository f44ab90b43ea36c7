package flinkcrd

// APIVersion is the group/version every release the facts cover serves
// its kinds under (their CRDs have no other version).
const APIVersion = Group + "/v1beta1"

// KindSince is the first release that has a CRD of kind; ok is false when
// no release the facts cover has one.
func KindSince(kind string) (Release, bool) {
	return FieldSince(kind, "spec")
}
