// Types of an assembly that is missing at run time (see StaticsGone.csproj).
namespace DrDotnet.Gone;

public class Part
{
    public byte[] Data = new byte[1024];
}

public class BasePart
{
    public int Id;
}
